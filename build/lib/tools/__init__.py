"""What the model may call: each tool is typed arguments + a function + a description."""
