import hashlib
import zipfile

import pytest

from course_utils.download import DownloadError, download_file, extract_member, sha256_of

PAYLOAD = b"embedding " * 5000
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_file_is_verified_and_placed(http_server, tmp_path):
    base, routes = http_server
    routes["/good.bin"] = PAYLOAD
    dest = download_file(f"{base}/good.bin", tmp_path / "sub" / "good.bin", DIGEST, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "sub") == ["good.bin"]
    assert sha256_of(dest) == DIGEST


def test_wrong_hash_leaves_nothing(http_server, tmp_path):
    base, routes = http_server
    routes["/tampered.bin"] = PAYLOAD + b"!"
    with pytest.raises(DownloadError, match="checksum mismatch.*tampered.bin"):
        download_file(f"{base}/tampered.bin", tmp_path / "f.bin", DIGEST, progress=False)
    assert leftovers(tmp_path) == []


def test_404_names_the_url(http_server, tmp_path):
    base, _ = http_server
    with pytest.raises(DownloadError, match=r"missing\.bin answered HTTP 404"):
        download_file(f"{base}/missing.bin", tmp_path / "f.bin", DIGEST, progress=False)
    assert leftovers(tmp_path) == []


def test_connection_dropped_mid_file(http_server, tmp_path):
    base, routes = http_server
    routes["/cut.bin"] = ("drop", PAYLOAD[:1000], len(PAYLOAD))
    with pytest.raises(DownloadError, match="interrupted"):
        download_file(f"{base}/cut.bin", tmp_path / "f.bin", DIGEST, progress=False)
    assert leftovers(tmp_path) == []


def test_no_network_says_offline(closed_port_url, tmp_path):
    with pytest.raises(DownloadError, match="offline"):
        download_file(f"{closed_port_url}/x.bin", tmp_path / "f.bin", DIGEST, progress=False, timeout=5)


def test_failed_download_keeps_an_existing_good_file(http_server, tmp_path):
    base, routes = http_server
    routes["/tampered.bin"] = b"something else"
    dest = tmp_path / "f.bin"
    dest.write_bytes(PAYLOAD)
    with pytest.raises(DownloadError):
        download_file(f"{base}/tampered.bin", dest, DIGEST, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == ["f.bin"]


@pytest.mark.parametrize("url, sha, message", [
    ("ftp://example.org/x", DIGEST, "url must be"),
    (123, DIGEST, "url must be"),
    ("http://127.0.0.1/x", "abc", "sha256 must be"),
])
def test_bad_arguments(url, sha, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        download_file(url, tmp_path / "x", sha)


def test_extract_member(tmp_path):
    archive = tmp_path / "pkg.whl"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("pkg/data/table.bin", PAYLOAD)
    out = extract_member(archive, "pkg/data/table.bin", tmp_path / "out" / "table.bin")
    assert out.read_bytes() == PAYLOAD
    with pytest.raises(DownloadError, match="does not contain"):
        extract_member(archive, "pkg/other.bin", tmp_path / "out" / "other.bin")
    assert leftovers(tmp_path / "out") == ["table.bin"]
