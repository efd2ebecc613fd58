"""The benchmark and chaos commands' machinery: the pipeline end to end on emulators, measured."""
