"""Pitch decks end to end: found in the record's Salesforce Files, read once, uploaded once, cited.

The real worker, the Salesforce emulator's Files (ContentDocumentLink / ContentVersion / VersionData)
and the OpenAI emulator's Files API and input_file items; the emulator's model reads the PDF's text,
so a fact written only in the deck proves the deck reached the Reasoning.
"""

import pytest

from pipelines.models import Deck, Pitch
from pipelines.services.intake import pitches_pull
from sandbox.decks import corrupt_pdf, deck_pdf, deck_pptx, empty_pdf, encrypted_pdf
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import Run

pytestmark = [pytest.mark.django_db(transaction=True)]

FACT = "Orbital kelp farms signed 41 paying customers"


def _deck_runs(pitch: Pitch) -> list[Run]:
    return list(pitch.runs.order_by("pk"))


def _uploads(openai_emu) -> int:
    return sum(1 for r in openai_emu.requests if r.method == "POST" and r.path.rstrip("/").endswith("/v1/files"))


def test_intake_lists_a_batch_s_files_in_one_query_pair_not_one_per_record(salesforce):
    pipeline = make_pipeline(max_in_flight=0, batch_size=200)  # nothing starts: this is about reading
    records = add_accounts(salesforce, 250)
    salesforce.files.attach_file(records[0], "Deck", deck_pdf("First"))
    salesforce.files.attach_file(records[1], "Cap table", b"a,b", file_type="EXCEL_X", extension="xlsx")
    _, last_version = salesforce.files.attach_file(records[249], "Deck", deck_pdf("Last"))
    salesforce.calls_by_endpoint.clear()

    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert summary.new == 250
    # The records' query, then per batch of 200: one ContentDocumentLink and one ContentVersion query.
    assert salesforce.calls_by_endpoint["query"] == 1 + 2 * 2
    with_decks = {p.salesforce_id: p.deck for p in pipeline.pitches.exclude(deck=None).select_related("deck")}
    assert set(with_decks) == {records[0], records[249]}  # the spreadsheet is not a deck
    assert with_decks[records[249]].content_version_id == last_version


@pytest.mark.usefixtures("celery_worker")
def test_the_deck_is_read_once_reused_by_a_retry_and_a_re_evaluation_and_its_fact_reaches_the_reasoning(
        salesforce, openai_emu):
    pipeline = make_pipeline(selection="Name != null")  # still selected once written back
    deck_record, plain_record = add_accounts(salesforce, 2)
    _, version = salesforce.files.attach_file(
        deck_record, "Pitch deck", deck_pdf("Startup 000", [f"Traction: {FACT}.", "Team: " + "engineers " * 80]))
    uploads_before = _uploads(openai_emu)
    # The first answer of the deck's pitch is cut off: the pitch tries again (a retry of the same text).
    openai_emu.faults.add("create", outcome="invalid_json", contains="Startup 000")

    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 2)

    pitch = pipeline.pitches.select_related("deck").get(salesforce_id=deck_record)
    first, retry = _deck_runs(pitch)
    assert first.error_code == "invalid_output" and pitch.attempt_log[0]["verdict"] == "retry"
    assert FACT in pitch.reasoning and "deck p. 2" in pitch.reasoning
    file_id = pitch.deck.openai_file_id
    assert first.input_items[0] == retry.input_items[0] == {"type": "input_file", "file_id": file_id}
    sent = [r.body for r in openai_emu.requests if r.method == "POST" and r.path.endswith("/responses")
            and r.body["metadata"]["vicbot_run"] == str(retry.pk)]
    assert sent[0]["input"][0]["content"][1] == {"type": "input_file", "file_id": file_id}
    assert salesforce.files.downloads[version] == 1 and _uploads(openai_emu) - uploads_before == 1
    assert (pitch.deck.downloads, pitch.deck.uploads, pitch.deck.pages) == (1, 1, 3)
    # The file's pages are input tokens: the deck's run read more than the plain pitch's.
    plain = _deck_runs(pipeline.pitches.get(salesforce_id=plain_record))[0]
    assert plain.input_items == [] and retry.input_tokens > plain.input_tokens + 100

    # An edit of the record's text: evaluated anew, with the same upload.
    salesforce.org.update(deck_record, {"Description": "Now with drones."}, modified_by=salesforce.org.human_user_id)
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1
    wait_for(lambda: pitch.runs.count() == 3 and Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.WRITTEN_BACK,
             timeout=60, message="the re-evaluation to be written back")
    again = _deck_runs(pitch)[-1]
    assert again.input_items == [{"type": "input_file", "file_id": file_id}]
    assert salesforce.files.downloads[version] == 1 and _uploads(openai_emu) - uploads_before == 1


@pytest.mark.usefixtures("celery_worker")
def test_a_new_version_of_the_deck_is_an_edit_and_is_evaluated_anew(salesforce, openai_emu):
    pipeline = make_pipeline(selection="Name != null")
    (record,) = add_accounts(salesforce, 1)
    document, first_version = salesforce.files.attach_file(record, "Deck", deck_pdf("Startup 000", ["Seed stage."]))
    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 1)
    pitch = pipeline.pitches.get()
    assert "Seed stage" in pitch.reasoning

    new_version = salesforce.files.new_version(document, deck_pdf("Startup 000", ["Series A: 3.1M ARR."]))
    assert Pitch.objects.get(pk=pitch.pk).system_modstamp == pitch.system_modstamp  # the record itself is untouched
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1

    def rewritten():
        current = Pitch.objects.select_related("deck").get(pk=pitch.pk)
        return current if current.status == Pitch.Status.WRITTEN_BACK and "3.1M ARR" in current.reasoning else None

    current = wait_for(rewritten, timeout=60, message="the new version to be evaluated and written")
    assert current.deck.content_version_id == new_version != first_version
    assert (salesforce.files.downloads[first_version], salesforce.files.downloads[new_version]) == (1, 1)
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 0  # seen once, not again


BAD = {
    "encrypted": (encrypted_pdf("X"), "encrypted"),
    "corrupt": (corrupt_pdf("X"), "could not be read"),
    "no pages": (empty_pdf(), "no pages"),
    "zero bytes": (b"", "0 bytes"),
    "300 pages": (deck_pdf("X", page_count=300), "300 pages"),
    "60 MB": (b"%PDF-1.7\n" + b"\0" * (60 * 2**20), "not downloaded"),
    "unreadable": (deck_pdf("X"), "may not read it"),
    "deleted mid-run": (deck_pdf("X"), "deleted in Salesforce"),
}


@pytest.mark.usefixtures("celery_worker")
def test_bad_decks_lead_to_an_assessment_without_them_and_say_why(salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    records = dict(zip(BAD, add_accounts(salesforce, len(BAD)), strict=True))
    documents = {case: salesforce.files.attach_file(records[case], f"Deck {case}", body)[0]
                 for case, (body, _) in BAD.items()}
    salesforce.files.hide_file(documents["unreadable"])
    # The deleted one: its download is held at Salesforce until the file is deleted there.
    salesforce.faults.add("slow", delay=2.0, match=salesforce.files.org.get(documents["deleted mid-run"])[
        "LatestPublishedVersionId"])

    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: salesforce.calls_by_endpoint["version_data"] >= 1 and any(
        f.kind == "slow" for f in salesforce.faults.pending()) is False, timeout=30,
        message="the held download to start")
    salesforce.files.delete_file(documents["deleted mid-run"])
    written = wait_until_written_back(pipeline, len(BAD), timeout=90)

    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    for case, (_, why) in BAD.items():
        pitch = pipeline.pitches.select_related("deck", "latest_run").get(salesforce_id=records[case])
        assert pitch.deck.status == Deck.Status.UNUSABLE and why in pitch.deck.reason, (case, pitch.deck.reason)
        run = pitch.latest_run
        assert why in run.metadata["deck_problem"], case
        assert run.input_items[0]["type"] == "input_text" and "could not give it to you" in run.input_items[0]["text"]
        page = operator.get(f"/admin/pipelines/pitch/{pitch.pk}/change/", secure=True).content.decode()
        assert "pitch-deck" in page and why in page, case
    assert _uploads_of(openai_emu, "Deck ") == 0  # nothing unusable went to OpenAI


def _uploads_of(openai_emu, prefix: str) -> int:
    return sum(1 for r in openai_emu.requests if r.method == "POST" and r.path.endswith("/v1/files")
               and prefix.encode() in (r.body or b""))


@pytest.mark.usefixtures("celery_worker")
def test_a_long_deck_is_cut_with_a_note_and_a_powerpoint_goes_as_text(salesforce, openai_emu):
    pipeline = make_pipeline(deck_file_types="PDF, POWER_POINT_X")
    long_record, slides_record = add_accounts(salesforce, 2)
    salesforce.files.attach_file(long_record, "Long deck", deck_pdf("Startup 000", page_count=150))
    salesforce.files.attach_file(slides_record, "Slides", deck_pptx("Startup 001", ["Revenue 2026: $3M"]),
                                 file_type="POWER_POINT_X", extension="pptx")

    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 2)

    long_pitch = pipeline.pitches.select_related("deck", "latest_run").get(salesforce_id=long_record)
    assert (long_pitch.deck.sent_as, long_pitch.deck.pages, long_pitch.deck.sent_pages) == ("cut", 150, 100)
    items = long_pitch.latest_run.input_items
    assert items[0]["type"] == "input_file" and "first 100 of the deck's 150 pages" in items[1]["text"]
    slides = pipeline.pitches.select_related("deck", "latest_run").get(salesforce_id=slides_record)
    assert slides.deck.sent_as == "text" and not slides.deck.openai_file_id
    assert "Revenue 2026: $3M" in slides.latest_run.input_items[0]["text"]
    assert "Revenue 2026: $3M" in slides.reasoning


@pytest.mark.usefixtures("celery_worker")
def test_the_run_page_shows_the_deck_and_its_page_citations_link_nowhere(salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    (record,) = add_accounts(salesforce, 1)
    document, _ = salesforce.files.attach_file(record, "Kelp deck", deck_pdf("Startup 000", [FACT]))
    pitches_pull(pipeline_id=pipeline.pk)
    (pitch,) = wait_until_written_back(pipeline, 1)

    page = operator.get(f"/admin/vicbot/run/{pitch.latest_run_id}/change/", secure=True).content.decode()

    deck_row = page[page.index('id="run-deck"'):].split("</td>")[0]
    assert "Kelp deck" in deck_row and "version 1" in deck_row and "2 pages" in deck_row and " MB" in deck_row
    assert f"/{document}" in deck_row  # the record's file in Salesforce
    reasoning = page[page.index('id="run-reasoning"'):].split("</div>")[0]
    assert '<cite class="deck-page">deck p. 2</cite>' in reasoning and "<a " not in reasoning
