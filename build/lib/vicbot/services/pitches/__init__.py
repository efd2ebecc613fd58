"""The Salesforce pitch pipeline: intake, evaluation runs and write-back."""
