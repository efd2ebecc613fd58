"""Local stand-ins for the outside systems (OpenAI, Salesforce, PitchBook), served over real sockets so the
real clients talk to them unchanged."""
