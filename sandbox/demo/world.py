"""The demo's outside world: every emulator started, the Salesforce org seeded."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from sandbox.emulators.openai import OpenAIEmulator
from sandbox.emulators.openai.ratelimit import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE
from sandbox.emulators.pitchbook import PitchBookEmulator
from sandbox.emulators.salesforce import SalesforceEmulator
from sandbox.decks import BROKEN_DECK_INDEX, company_deck, corrupt_pdf
from sandbox.sample_companies import COMPANIES, SampleCompany
from sandbox.sample_sites import SampleSites

DEMO_OPENAI_KEY = "sk-demo-emulator"
DEMO_PITCHBOOK_KEY = "pb-demo-emulator"


@dataclass
class World:
    openai: OpenAIEmulator
    salesforce: SalesforceEmulator
    pitchbook: PitchBookEmulator
    sites: SampleSites

    def environment(self) -> dict[str, str]:
        """Settings that point worker and beat at the emulators, and only at them."""
        return {
            "OPENAI_BASE_URL": self.openai.base_url,
            "OPENAI_API_KEY": DEMO_OPENAI_KEY,
            "OPENAI_WEBHOOK_SECRET": "",  # no web server in the demo: the tick polls
            "SALESFORCE_INSTANCE_URL": self.salesforce.instance_url,
            "SALESFORCE_ACCESS_TOKEN": self.salesforce.access_token,
            "REQUESTS_CA_BUNDLE": str(self.salesforce.ca_bundle),
            # Real credentials in the environment would win over the direct session.
            **{name: "" for name in ("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_USERNAME",
                                     "SALESFORCE_CONSUMER_KEY", "SALESFORCE_PRIVATE_KEY", "SALESFORCE_DOMAIN")},
            "PITCHBOOK_API_URL": self.pitchbook.base_url,
            "PITCHBOOK_API_KEY": DEMO_PITCHBOOK_KEY,
            "WEB_FETCH_PRIVATE_ALLOWLIST": self.sites.host_port,
        }


def start_world(stack: ExitStack, *, queued_seconds: float = 0.1, run_seconds: float = 0.4,
                webhook_secret: str | None = None, requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
                tokens_per_minute: int = DEFAULT_TOKENS_PER_MINUTE) -> World:
    """Every emulator started; the benchmark and chaos commands choose the model's latency.

    `requests_per_minute` / `tokens_per_minute`: the limits the emulated OpenAI announces in its
    `x-ratelimit-*` headers, from which a pipeline with no in-flight cap sizes itself.
    """
    world = World(
        openai=OpenAIEmulator(api_key=DEMO_OPENAI_KEY, queued_seconds=queued_seconds, run_seconds=run_seconds,
                              webhook_secret=webhook_secret, requests_per_minute=requests_per_minute,
                              tokens_per_minute=tokens_per_minute),
        salesforce=SalesforceEmulator(),
        pitchbook=PitchBookEmulator(api_key=DEMO_PITCHBOOK_KEY),
        sites=SampleSites(),
    )
    for emulator in (world.openai, world.salesforce, world.pitchbook, world.sites):
        emulator.start()
        stack.callback(emulator.stop)
    return world


def seed_pitches(world: World, count: int, *, decks: bool = True) -> list[str]:
    """One Account per sample company (the pitch), plus a Contact for some first founders, and with
    `decks` the company's pitch deck in the record's Files (one of them broken on purpose)."""
    ids = []
    org = world.salesforce.org
    for index, company in enumerate(_companies(count)):
        account_id = org.insert("Account", {
            "Name": company.name,
            "Website": world.sites.url(f"/{company.slug}/"),
            "Industry": company.sector,
            "Description": _pitch_text(company),
        }, modified_by=org.human_user_id)
        if index % 3 == 0:
            founder = company.founders[0]
            org.insert("Contact", {"FirstName": founder.first, "LastName": founder.last, "Email": founder.email,
                                   "Title": founder.title, "AccountId": account_id},
                       modified_by=org.human_user_id)
        if decks:
            broken = index == BROKEN_DECK_INDEX
            world.salesforce.files.attach_file(
                account_id, f"{company.name} deck", corrupt_pdf(company.name) if broken else company_deck(company))
        ids.append(account_id)
    return ids


def _companies(count: int) -> list[SampleCompany]:
    return [COMPANIES[i % len(COMPANIES)] for i in range(count)]


def _pitch_text(company: SampleCompany) -> str:
    founders = "; ".join(f"{f.full_name} ({f.title}, {f.email})" for f in company.founders)
    return (
        f"{company.pitch}\n\n{company.description}\n\nTraction: {company.traction}\n"
        f"Stage: {company.stage}, based in {company.location}.\nFounder: {founders}"
    )
