"""A stand-in for the Hugging Face Hub on 127.0.0.1, for measuring online extras on an offline machine.

`build_clip_folder` writes a sentence-transformers CLIP ViT-B/32 folder with the real architecture and
size (random weights, a byte-level tokenizer), laid out like `sentence-transformers/clip-ViT-B-32`.
`serve({repo_id: folder, ...})` serves folders with the few Hub routes huggingface_hub uses to list and
download a snapshot; point HF_ENDPOINT at the returned address.
"""
from __future__ import annotations

import hashlib
import json
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


def _byte_vocab() -> dict[str, int]:
    """CLIP's byte-to-unicode table as a vocabulary: one token per byte, alone and word-final, plus specials."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes, extra = printable[:], 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    chars = [chr(c) for c in codes]
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(tokens)}


def build_clip_folder(folder: Path, seed: int = 0) -> Path:
    """A ViT-B/32 CLIP with random weights (about 600 MB of float32) as a sentence-transformers folder."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    folder = Path(folder)
    module = folder / "0_CLIPModel"
    module.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    CLIPModel(CLIPConfig()).save_pretrained(module, safe_serialization=True)  # the defaults are ViT-B/32's
    (module / "vocab.json").write_text(json.dumps(_byte_vocab()))
    (module / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(module / "vocab.json"), str(module / "merges.txt"))
    image_processor = CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(module)
    (folder / "modules.json").write_text(json.dumps(
        [{"idx": 0, "name": "0", "path": "0_CLIPModel", "type": "sentence_transformers.models.CLIPModel"}]))
    (folder / "config_sentence_transformers.json").write_text(json.dumps({"__version__": {}}))
    (folder / "README.md").write_text("random weights, for memory measurements only\n")  # not in the course's patterns
    return folder


class _Hub(BaseHTTPRequestHandler):
    commit = "0" * 40

    def __init__(self, *args, repositories: dict, **kwargs):
        self.repositories = repositories
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def route(self) -> tuple[str, str, str, Path] | None:
        """(kind, rest of the path, repo_id, folder) for the api and resolve routes of a served repository."""
        path = unquote(urlparse(self.path).path)
        for repo_id, folder in self.repositories.items():
            for kind, prefix in (("revision", f"/api/models/{repo_id}/revision/"), ("tree", f"/api/models/{repo_id}/tree/"),
                                 ("resolve", f"/{repo_id}/resolve/")):
                if path.startswith(prefix):
                    return kind, path[len(prefix):], repo_id, Path(folder)
        return None

    @staticmethod
    def files(folder: Path) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())

    def send_json(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def resolve(self, rest: str, folder: Path, head: bool):
        name = rest.split("/", 1)[1]  # after the revision
        target = folder / name
        if not target.is_file():
            return self.send_error(404)
        size = target.stat().st_size
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", f'"{hashlib.sha1(name.encode()).hexdigest()}"')
        self.send_header("X-Repo-Commit", self.commit)
        self.end_headers()
        if not head:
            with open(target, "rb") as source:
                while chunk := source.read(1 << 20):
                    self.wfile.write(chunk)

    def do_HEAD(self):
        found = self.route()
        if found is None or found[0] != "resolve":
            return self.send_error(404)
        self.resolve(found[1], found[3], head=True)

    def do_GET(self):
        found = self.route()
        if found is None:
            return self.send_error(404)
        kind, rest, repo_id, folder = found
        if kind == "revision":
            return self.send_json({"id": repo_id, "modelId": repo_id, "sha": self.commit, "private": False,
                                   "siblings": [{"rfilename": name} for name in self.files(folder)]})
        if kind == "tree":
            return self.send_json([{"type": "file", "path": name, "size": (folder / name).stat().st_size,
                                    "oid": hashlib.sha1(name.encode()).hexdigest()} for name in self.files(folder)])
        self.resolve(rest, folder, head=False)


def serve(repositories: dict) -> tuple[str, ThreadingHTTPServer]:
    """Serve each folder of {repo_id: folder} as that model repository; returns (endpoint URL, server to shut down)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Hub, repositories=dict(repositories)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
