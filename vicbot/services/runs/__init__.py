"""The run engine's services, driven by tasks. Code outside `vicbot` uses `vicbot.runs` instead."""
