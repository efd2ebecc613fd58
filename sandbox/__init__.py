"""Everything that pretends: the emulators of OpenAI, Salesforce and PitchBook, the sample companies and
their sites, the loopback helper, the offline demo, the benchmark and the chaos run, with their commands.
It sits above every product package and may import any of them; product code never imports it."""
