"""An interactive pyLDAvis page for one model that works offline, Chinese included.

pyLDAvis (Sievert & Shirley 2014, "LDAvis: A method for visualizing and interpreting topics",
ACL workshop on interactive language learning) writes HTML that loads d3 and its own
JavaScript and CSS from a CDN. Here the same files — shipped inside the installed ``pyLDAvis``
package — are inlined, and so is a subset of the Noto Sans CJK font from ``mplfonts`` (only the
characters the page shows), so the page renders with no network and no system Chinese font.

Choices that keep our numbering and make the page reproducible:

* ``sort_topics=False``: topics keep our order. LDAvis's script treats topic number 0 as
  "nothing selected", so circles are numbered from 1: circle ``n`` is our topic ``T{n-1}``; the
  page says so above the chart and lists each circle's label;
* topic positions by classical multidimensional scaling (principal coordinates, Gower 1966) of
  the Jensen–Shannon distances between topics, with each axis's sign fixed so that its largest
  coordinate is positive — eigenvector signs are otherwise arbitrary;
* ``n_jobs=1``: no worker processes.
"""

from __future__ import annotations

import base64
import html
import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pyLDAvis
from scipy.spatial.distance import jensenshannon, pdist, squareform

from ..analysis.labels import topic_labels
from ..analysis.theta import unit_theta
from ..common.fileio import write_text
from .fonts import chinese_font_path

FONT_FAMILY = "Topics CJK"
VIS_ID = "ldavis_topics"


def principal_coordinates(distributions: np.ndarray) -> np.ndarray:
    """2-D classical MDS of rows (distributions) under the Jensen–Shannon distance, signs fixed.

    Returns an (n, 2) array. Classical scaling: double-centre the squared distances and take
    the two leading eigenvectors scaled by the square root of their eigenvalues (Gower 1966,
    *Biometrika* 53, 325–338).
    """
    dist = squareform(pdist(np.asarray(distributions, float), lambda u, v: jensenshannon(u, v, base=2)))
    n = len(dist)
    centring = np.eye(n) - np.ones((n, n)) / n
    values, vectors = np.linalg.eigh(-0.5 * centring @ (dist ** 2) @ centring)
    top = np.argsort(values)[::-1][:2]
    coords = vectors[:, top] * np.sqrt(np.clip(values[top], 0, None))
    if coords.shape[1] < 2:  # fewer than 3 topics: pad the second axis
        coords = np.column_stack([coords, np.zeros(n)])
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), range(2)])
    return coords * np.where(signs == 0, 1, signs)


def prepare(topic_word: np.ndarray, doc_topic: np.ndarray, doc_lengths, vocab, term_frequency,
            R: int = 30, lambda_step: float = 0.01):
    """Call :func:`pyLDAvis.prepare` with our numbering and a deterministic layout.

    Parameters
    ----------
    topic_word : (K, V) topic–word probabilities φ (rows sum to 1).
    doc_topic : (D, K) document–topic proportions θ (rows sum to 1).
    doc_lengths : (D,) tokens per document. vocab : V words. term_frequency : (V,) corpus counts.
    R : number of terms listed per topic. lambda_step : step of the relevance slider.

    Words that never occur (frequency 0) are left out and φ renormalised, because pyLDAvis
    takes their logarithm.
    """
    topic_word = np.asarray(topic_word, float)
    term_frequency = np.asarray(term_frequency, float)
    seen = term_frequency > 0
    phi = topic_word[:, seen]
    phi = phi / phi.sum(axis=1, keepdims=True)
    theta = np.asarray(doc_topic, float)
    theta = theta / theta.sum(axis=1, keepdims=True)
    return pyLDAvis.prepare(phi, theta, np.asarray(doc_lengths, float), [w for w, s in zip(vocab, seen) if s],
                            term_frequency[seen], R=R, lambda_step=lambda_step, mds=principal_coordinates,
                            n_jobs=1, sort_topics=False, start_index=1)


def _package_file(name: str) -> str:
    return (resources.files("pyLDAvis") / "js" / name).read_text(encoding="utf-8")


def _font_face(text: str) -> str:
    """A CSS @font-face with the bundled CJK font cut down to the characters in ``text``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(chinese_font_path()))
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed, understood by every browser
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set(map(chr, range(32, 127))))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url(data:font/woff;base64,{data}) format("woff"); }}'


def to_html(prepared, title: str = "Topics", labels: dict | None = None) -> str:
    """A complete, self-contained HTML page for a prepared pyLDAvis model.

    d3, the LDAvis script and its stylesheet are inlined from the installed pyLDAvis package;
    no ``src``/``href`` points to the network. ``labels`` ({topic: "T3 计划生育·…"}) are listed
    above the chart with their circle numbers.
    """
    data_json = prepared.to_json()
    key = "; ".join(f"{topic + 1} = {html.escape(label)}" for topic, label in sorted((labels or {}).items()))
    words = "".join(json.loads(data_json)["tinfo"]["Term"]) + title + key
    # "</" would end the inline <script> early
    safe = lambda js: js.replace("</", "<\\/")  # noqa: E731
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-Hans">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>",
        _package_file("ldavis.v1.0.0.css"),
        _font_face(words),
        f'text, body, input, label, div {{ font-family: "{FONT_FAMILY}", sans-serif; }}',
        "</style>",
        f"<script>{safe(_package_file('d3.v5.min.js'))}</script>",
        f"<script>{safe(_package_file('ldavis.v3.0.0.js'))}</script>",
        "</head>",
        "<body>",
        f"<h3>{html.escape(title)}</h3>",
        "<p>Circle <i>n</i> is topic T<i>n</i>−1 of the figures and tables. " + key + "</p>",
        f'<div id="{VIS_ID}" style="background-color:white;"></div>',
        f'<script>new LDAvis("#{VIS_ID}", {safe(data_json)});</script>',
        "</body>",
        "</html>",
        "",
    ])


def save_html(prepared, path: str | Path, title: str = "Topics", labels: dict | None = None) -> Path:
    """Write :func:`to_html` to ``path`` (atomically) and return the path."""
    write_text(path, to_html(prepared, title, labels))
    return Path(path)


def prepare_run(run, R: int = 30):
    """:func:`prepare` for a run's selected model, with the modelling units as documents."""
    dictionary = run.corpus.dictionary
    vocab = [dictionary[i] for i in range(len(dictionary))]
    counts = np.zeros(len(vocab))
    for doc in run.corpus.bow():
        for word_id, count in doc:
            counts[word_id] += count
    return prepare(run.topic_word, unit_theta(run.unit_gamma), run.corpus.units["n_tokens"].to_numpy(),
                   vocab, counts, R=R)


def save_run_html(run, path: str | Path) -> Path:
    """Write the run's LDAvis page to ``path``."""
    k = len(run.topic_word)
    return save_html(prepare_run(run), path, title=f"Topics (K = {k})", labels=topic_labels(run.topics))


def html_frame(path: str | Path, height: int = 820):
    """Show a self-contained HTML page (e.g. the LDAvis page) inline in Jupyter.

    The page goes into the ``srcdoc`` of an ``<iframe>``, so it displays the same in Jupyter
    Lab, classic Notebook and VS Code, whatever folder the server serves (a plain
    ``IFrame(src=...)`` needs the page to be reachable by URL from the notebook).
    """
    import html

    from IPython.display import HTML

    page = Path(path).read_text(encoding="utf-8")
    # Inside a <div>: IPython warns about any HTML that starts with "<iframe" (it suggests IFrame).
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" width="100%" height="{int(height)}" '
                'style="border: 1px solid #ddd;"></iframe></div>')
