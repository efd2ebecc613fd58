"""The offline demo: the whole job end to end on local emulators of OpenAI, Salesforce,
PitchBook and the companies' websites. Nothing here is used in production."""
