"""`redchain serve` answers SPARQL over HTTP from a real client and refuses updates."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from graph.serve import make_server


@pytest.fixture(params=["graph.ttl", "graph.trig"])
def endpoint(seed_build, request):
    server = make_server(seed_build[0] / request.param, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


QUERY = """PREFIX rc: <https://w3id.org/redchain/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?chain WHERE { ?c rdfs:label "张家港市氢能产业链联合党委"@zh ; rc:servesChain/rdfs:label ?chain }"""


def test_serve_answers_a_get_query_as_sparql_json(endpoint):
    with urllib.request.urlopen(f"{endpoint}/query?" + urllib.parse.urlencode({"query": QUERY}), timeout=10) as reply:
        assert reply.headers["Content-Type"].startswith("application/sparql-results+json")
        rows = json.loads(reply.read())["results"]["bindings"]
    assert {r["chain"]["value"] for r in rows} >= {"氢能产业链"}


def test_serve_answers_a_post_query_as_csv(endpoint):
    request = urllib.request.Request(f"{endpoint}/query", data=QUERY.encode(),
                                     headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert "氢能产业链" in reply.read().decode("utf-8")


@pytest.mark.parametrize("how", ["post-update", "form-update", "get-update"])
def test_serve_refuses_updates(endpoint, how):
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "post-update":
        request = urllib.request.Request(f"{endpoint}/query", data=update.encode(),
                                         headers={"Content-Type": "application/sparql-update"})
    elif how == "form-update":
        request = urllib.request.Request(f"{endpoint}/query", data=urllib.parse.urlencode({"update": update}).encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        request = urllib.request.Request(f"{endpoint}/query?" + urllib.parse.urlencode({"update": update}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def test_serve_answers_the_fact_evidence_query_from_the_dataset(seed_build):
    from graph.query import resolve_query_text

    server = make_server(seed_build[0] / "graph.trig", "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query?"
        query = urllib.parse.urlencode({"query": resolve_query_text("fact-evidence")[1]})
        with urllib.request.urlopen(url + query, timeout=10) as reply:
            rows = json.loads(reply.read())["results"]["bindings"]
    finally:
        server.shutdown()
        server.server_close()
    assert any(r["subject"]["value"] == "罗文军" and "罗文军举例说" in r["sentence"]["value"] for r in rows)
