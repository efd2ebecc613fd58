import pytest

from integrations.pitchbook.websites import registrable_domain


@pytest.mark.parametrize(
    "website, domain",
    [
        ("https://www.acme.co.uk/about", "acme.co.uk"),
        ("HTTPS://WWW.Acme.COM:8443/a?b=c", "acme.com"),
        ("acme.com", "acme.com"),
        ("shop.eu.acme.io/", "acme.io"),
        ("https://acme.github.io/app", "acme.github.io"),  # a private suffix on the list
        ("www.brightloop.example", "brightloop.example"),  # not on the list: the last two labels
    ],
)
def test_a_website_is_reduced_to_its_registrable_domain(website, domain):
    assert registrable_domain(website) == domain


@pytest.mark.parametrize("website", ["", "localhost", "http://127.0.0.1:8000/brightloop/", "http://[::1]/", "not a url"])
def test_addresses_without_a_registrable_domain_give_none(website):
    assert registrable_domain(website) is None
