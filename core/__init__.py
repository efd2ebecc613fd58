"""The ground floor: generic kit every app may use (state machines and their transition log, retry policy, text bounds). Imports nothing of ours."""
