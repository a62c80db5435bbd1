"""Lesson 09's embedded vector database: Qdrant's local mode (qdrant-client, no server) gives the same
neighbours as exact search, with and without a payload filter, in memory and in a folder on disk."""
import numpy as np
import pytest

qdrant_client = pytest.importorskip("qdrant_client")
from qdrant_client import QdrantClient, models  # noqa: E402


def exact(vectors, query, k, allowed):
    scores = np.where(allowed, vectors @ query, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if allowed[i]]


@pytest.mark.parametrize("where", ["memory", "folder"])
def test_local_mode_matches_exact_search_with_and_without_a_filter(where, tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    teams = rng.integers(0, 20, size=300)
    client = QdrantClient(":memory:") if where == "memory" else QdrantClient(path=str(tmp_path / "qdrant"))
    client.create_collection("passages", vectors_config=models.VectorParams(size=32, distance=models.Distance.DOT))
    client.upload_points("passages", points=[
        models.PointStruct(id=i, vector=vectors[i].tolist(), payload={"team": int(teams[i])}) for i in range(300)])
    assert client.count("passages").count == 300
    for query in vectors[:10] * 0.9 + 0.1 * rng.normal(size=(10, 32)).astype(np.float32):
        hits = client.query_points("passages", query=query.tolist(), limit=10).points
        assert [h.id for h in hits] == exact(vectors, query, 10, np.ones(300, dtype=bool))
        np.testing.assert_allclose([h.score for h in hits], np.sort(vectors @ query)[::-1][:10], rtol=1e-5)
        team = int(teams[0])
        only_team = models.Filter(must=[models.FieldCondition(key="team", match=models.MatchValue(value=team))])
        hits = client.query_points("passages", query=query.tolist(), limit=10, query_filter=only_team).points
        assert [h.id for h in hits] == exact(vectors, query, 10, teams == team)
    client.close()
    if where == "folder":                                   # the collection survives a restart
        reopened = QdrantClient(path=str(tmp_path / "qdrant"))
        assert reopened.count("passages").count == 300
        reopened.close()
