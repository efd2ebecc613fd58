"""Session-wide emulators of the outside world, and the settings that point at them."""

WEBHOOK_SECRET = "whsec_" + "dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0LW5vdC1yZWFs"  # base64 of a test-only string
OPENAI_API_KEY = "sk-emulator-test"
PITCHBOOK_API_KEY = "pb-emulator-test"
