"""What the pipeline's optional status field in Salesforce may say: a short, fixed vocabulary.

The record's readers are the fund's people, in Salesforce: they get whether Vicbot assessed the
record and, if not, why in a few plain words — never an OpenAI error message (which may quote
the pitch, name internal ids, or change wording any day). The whole story stays on the pitch's
page in the admin.
"""

from __future__ import annotations

from pipelines.services.outcomes import CONTEXT_TOO_LONG, caused_by_content

ASSESSED = "Assessed by Vicbot"
CONTENT_REFUSED = "Not assessed: the pitch's text was refused by the model"
TOO_LONG = "Not assessed: the pitch is too long for the model, even shortened"
MODEL_REFUSED = "Not assessed: the model declined to assess the pitch"
CANCELLED_BY_OPERATOR = "Not assessed: cancelled by an operator"
FAILED_BY_OPERATOR = "Not assessed: stopped by an operator"
NO_ANSWER = "Not assessed: the model could not answer after {attempts} attempts"

VOCABULARY = (ASSESSED, CONTENT_REFUSED, TOO_LONG, MODEL_REFUSED, CANCELLED_BY_OPERATOR, FAILED_BY_OPERATOR,
              NO_ANSWER)


def not_assessed(*, last_code: str, attempts: int) -> str:
    """The status of a pitch whose attempts are used up, from the code of its last attempt."""
    if last_code == CONTEXT_TOO_LONG:
        return TOO_LONG
    if caused_by_content(last_code):
        return CONTENT_REFUSED
    if last_code == "refusal":
        return MODEL_REFUSED
    return NO_ANSWER.format(attempts=attempts)
