"""The Salesforce pitch pipeline: which records are pitches, their evaluation runs, and the write-back."""
