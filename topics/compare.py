"""Compare topics across speeches, years, genres and administrative levels — with uncertainty.

The research questions, and the function that answers each (names follow R ``stm``):

* How much of each speech is each topic?            :func:`speech_topics`
* How does prevalence differ by year / genre / level? :func:`topic_prevalence` (bootstrap intervals)
* Does prevalence change with year, all else equal? :func:`estimate_effect` (method of composition)
* Which speeches resemble each other?               :func:`speech_distances`, :func:`cluster_speeches`
* Which passages typify a topic?                    :func:`find_thoughts`
* What is each topic about?                         :func:`label_topics`, :func:`topic_labels`

Every function takes plain arrays and DataFrames (unit-level θ or Dirichlet parameters, the
``units`` table in model order, the ``speeches`` table); the ``*_run`` wrappers take a
:class:`topics.experiment.RunResult`. Speeches whose year is unknown or anonymized are never
dropped: they form the groups ``"unknown"`` and ``"anonymized"``, and ``year_source`` is a column
of every table. Randomness comes only from a seeded :class:`numpy.random.Generator`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import jensenshannon, squareform

from .errors import TopicsError
from .theta import speech_proportions, topic_columns, unit_theta

NO_YEAR_GROUPS = ("anonymized", "unknown")
META_COLUMNS = ["year", "year_source", "year_group", "genre", "admin_level"]


# -- groups ---------------------------------------------------------------------------------------
def year_groups(speeches: pd.DataFrame) -> pd.Series:
    """Year group of each speech: ``"2005"`` when the year is known, else ``"anonymized"`` or ``"unknown"``.

    A speech whose year was hidden as ``20xx`` (``year_source == "anonymized"``) is kept apart
    from one whose year simply could not be found, because the two may differ systematically.
    """
    labels = []
    for year, source in zip(speeches["year"], speeches["year_source"]):
        if not pd.isna(year):
            labels.append(str(int(year)))
        elif source == "anonymized":
            labels.append("anonymized")
        else:
            labels.append("unknown")
    return pd.Series(labels, index=speeches.index, name="year_group", dtype="string")


def group_order(labels) -> list[str]:
    """Display order of group labels: numbers (years) ascending, then words, ``unknown`` last."""
    labels = list(dict.fromkeys(str(x) for x in labels))
    years = sorted((x for x in labels if x.isdigit()), key=int)
    words = sorted(x for x in labels if not x.isdigit() and x not in NO_YEAR_GROUPS)
    return years + words + [x for x in NO_YEAR_GROUPS if x in labels]


def _group_labels(speeches: pd.DataFrame, by: str) -> pd.Series:
    if by in ("year", "year_group"):
        return year_groups(speeches)
    if by not in speeches:
        raise KeyError(f"speeches has no column {by!r}; choose one of {list(speeches.columns)}")
    return speeches[by].astype("string").fillna("unknown")


def _source_mix(sources: pd.Series) -> str:
    """``"explicit 12; implied 3"`` — how the years in a group were established."""
    counts = sources.fillna("unknown").value_counts()
    return "; ".join(f"{name} {counts[name]}" for name in sorted(counts.index))


# -- speech-level θ -------------------------------------------------------------------------------
def aggregation_matrix(units: pd.DataFrame, doc_ids=None) -> sparse.csr_matrix:
    """Sparse (n_speeches × n_units) matrix turning unit θ into speech θ, weighted by tokens.

    Row ``i`` holds each chunk's share of speech ``i``'s tokens, so ``A @ theta_units`` is the
    token-weighted mean of its chunks' proportions (the same quantity as
    :func:`topics.theta.speech_proportions`). A speech whose chunks are all empty weighs them equally.
    """
    doc_ids = list(dict.fromkeys(units["doc_id"])) if doc_ids is None else list(doc_ids)
    row_of = {doc: i for i, doc in enumerate(doc_ids)}
    rows = units["doc_id"].map(row_of)
    if rows.isna().any():
        missing = units.loc[rows.isna(), "doc_id"].iloc[0]
        raise ValueError(f"unit of speech {missing!r} has no row among the speeches given")
    rows = rows.to_numpy(int)
    tokens = units["n_tokens"].to_numpy(float)
    totals = np.bincount(rows, weights=tokens, minlength=len(doc_ids))
    counts = np.bincount(rows, minlength=len(doc_ids))
    weights = np.where(totals[rows] > 0, tokens / np.maximum(totals[rows], 1e-300), 1.0 / counts[rows])
    return sparse.csr_matrix((weights, (rows, np.arange(len(units)))), shape=(len(doc_ids), len(units)))


def speech_topics(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame) -> pd.DataFrame:
    """Speech × topic proportions with the speech's metadata beside them.

    Parameters
    ----------
    theta : (n_units, K) array of unit topic proportions, rows in ``units`` order.
    units : the corpus ``units`` table (``doc_id``, ``n_tokens``) in model order.
    speeches : the corpus ``speeches`` table; only speeches with units are kept.

    Returns
    -------
    DataFrame with ``doc_id, year, year_source, year_group, genre, admin_level, n_units,
    n_tokens, topic_0 … topic_{K-1}``, in the order speeches first appear in ``units``.
    """
    table = speech_proportions(theta, units).reset_index()
    return _with_metadata(table, units, speeches)


def _with_metadata(table: pd.DataFrame, units: pd.DataFrame, speeches: pd.DataFrame) -> pd.DataFrame:
    meta = speeches.set_index("doc_id").reindex(table["doc_id"])
    out = pd.DataFrame({"doc_id": table["doc_id"].to_numpy()})
    out["year"] = meta["year"].to_numpy() if "year" in meta else pd.NA
    out["year"] = out["year"].astype("Int64")
    out["year_source"] = (meta["year_source"] if "year_source" in meta else pd.Series("unknown", index=meta.index)).fillna("unknown").to_numpy()
    out["year_group"] = year_groups(out).to_numpy()
    for column in ("genre", "admin_level"):
        out[column] = meta[column].fillna("unknown").to_numpy() if column in meta else "unknown"
    grouped = units.groupby("doc_id", sort=False)
    out["n_units"] = grouped.size().reindex(out["doc_id"]).fillna(0).astype(int).to_numpy()
    out["n_tokens"] = grouped["n_tokens"].sum().reindex(out["doc_id"]).fillna(0).astype(int).to_numpy()
    topics = [c for c in table.columns if c.startswith("topic_")]
    return pd.concat([out, table[topics].reset_index(drop=True)], axis=1)


# -- prevalence with bootstrap intervals ----------------------------------------------------------
def topic_prevalence(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame, by: str = "year",
                     n_boot: int = 1000, level: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Mean topic proportion per group of speeches, with two-stage bootstrap intervals.

    The estimate for a group is the unweighted mean of its speeches' proportions (each speech
    counts once, however long). Its interval comes from a two-stage nonparametric bootstrap
    (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, §3.8):

    1. within each group, draw its ``n_g`` speeches with replacement;
    2. within each drawn speech, draw its ``n_c`` chunks with replacement and recompute the
       speech's token-weighted proportions;
    3. average the drawn speeches; repeat ``n_boot`` times; report percentile limits.

    Resampling both stages keeps the within-speech (chunk) variation in the interval; it errs
    slightly on the wide side when speeches have many chunks.

    Parameters
    ----------
    theta, units, speeches : as for :func:`speech_topics`.
    by : ``"year"`` (year groups, with ``"anonymized"``/``"unknown"`` kept) or a speeches column.
    n_boot : number of bootstrap replicates.
    level : coverage of the interval, e.g. 0.95.
    random_state : seed of the :class:`numpy.random.Generator`.

    Returns
    -------
    Long DataFrame: ``group, topic, mean, se, lower, upper, n_speeches, n_units, year_sources``
    (``year_sources`` says how the years of the group's speeches were established).
    """
    rng = np.random.default_rng(random_state)
    table = speech_topics(theta, units, speeches)
    k = np.asarray(theta).shape[1]
    groups = _group_labels(table, by).to_numpy()
    order = group_order(groups)
    group_index = np.array([order.index(g) for g in groups])
    n_groups, n_docs = len(order), len(table)

    # Units sorted by speech, so speech s owns units first[s] : first[s] + n_chunks[s].
    doc_row = units["doc_id"].map({d: i for i, d in enumerate(table["doc_id"])}).to_numpy(int)
    by_doc = np.argsort(doc_row, kind="stable")
    n_chunks = np.bincount(doc_row, minlength=n_docs)
    first = np.concatenate([[0], np.cumsum(n_chunks)[:-1]])
    theta_sorted = np.asarray(theta, float)[by_doc]
    tokens_sorted = units["n_tokens"].to_numpy(float)[by_doc]
    members = [np.flatnonzero(group_index == g) for g in range(n_groups)]
    group_sizes = np.array([len(m) for m in members])

    boot = np.empty((n_boot, n_groups, k))
    for b in range(n_boot):
        # Stage 1: speeches within groups.
        copies = np.concatenate([rng.choice(m, size=len(m), replace=True) for m in members])
        copy_group = np.repeat(np.arange(n_groups), group_sizes)
        # Stage 2: chunks within each drawn copy of a speech (independently per copy).
        per_copy = n_chunks[copies]
        copy_of_draw = np.repeat(np.arange(len(copies)), per_copy)
        drawn = first[copies][copy_of_draw] + np.floor(rng.random(len(copy_of_draw)) * per_copy[copy_of_draw]).astype(int)
        weights = tokens_sorted[drawn] + 1e-12  # empty chunks: equal weights instead of 0/0
        mix = sparse.csr_matrix((weights, (copy_of_draw, drawn)), shape=(len(copies), len(theta_sorted)))
        copy_theta = (mix @ theta_sorted) / np.asarray(mix.sum(axis=1))
        sums = np.zeros((n_groups, k))
        np.add.at(sums, copy_group, copy_theta)
        boot[b] = sums / group_sizes[:, None]

    point = np.stack([table.loc[group_index == g, topic_columns(k)].to_numpy().mean(axis=0)
                      for g in range(n_groups)])
    alpha = (1 - level) / 2
    lower, upper = np.quantile(boot, [alpha, 1 - alpha], axis=0)
    rows = []
    for g, name in enumerate(order):
        in_group = table[group_index == g]
        for t in range(k):
            rows.append({"group": name, "topic": t, "mean": point[g, t], "se": boot[:, g, t].std(ddof=1),
                         "lower": lower[g, t], "upper": upper[g, t], "n_speeches": len(in_group),
                         "n_units": int(in_group["n_units"].sum()),
                         "year_sources": _source_mix(in_group["year_source"])})
    out = pd.DataFrame(rows)
    out.attrs.update(by=by, n_boot=n_boot, level=level, random_state=random_state,
                     scheme="two-stage bootstrap: speeches within groups, then chunks within speeches")
    return out


# -- effect of covariates: estimateEffect by the method of composition ----------------------------
@dataclass(frozen=True)
class EffectEstimate:
    """Result of :func:`estimate_effect`.

    Attributes
    ----------
    table : one row per (topic, term): ``estimate`` (mean of the draws), ``std_error`` (their
        standard deviation), ``lower``/``upper`` (percentile interval), ``n_speeches``.
    draws : (n_sims, n_terms, K) simulated coefficients.
    design : the design matrix, one row per speech (``doc_id``, ``year_source`` and the terms).
    terms : column names of the design matrix (``year`` is per calendar year).
    notes : how covariates were coded: reference levels, year centre, dropped terms.
    """

    table: pd.DataFrame
    draws: np.ndarray
    design: pd.DataFrame
    terms: list
    notes: dict


def design_matrix(speeches: pd.DataFrame, covariates=("year", "genre", "admin_level")):
    """Regression design for :func:`estimate_effect`: intercept, year and treatment-coded categories.

    * ``year`` enters linearly, centred on the median known year (the slope is per year).
      Speeches with no usable year get year = centre plus an indicator ``year[anonymized]`` or
      ``year[unknown]``: they stay in the model (informing the other coefficients) without
      pretending to a year, and the slope is estimated from dated speeches only.
    * each categorical covariate is dummy-coded against its most frequent level (ties:
      alphabetical); missing values are the level ``"unknown"``.
    * a term that is constant or a linear combination of earlier ones is dropped (as R's ``lm``
      does) and listed in ``notes["dropped"]``.

    Returns
    -------
    (X, notes): X a DataFrame indexed like ``speeches``; notes a dict.
    """
    columns: dict[str, np.ndarray] = {"(Intercept)": np.ones(len(speeches))}
    notes: dict = {"reference": {}, "dropped": []}
    for covariate in covariates:
        if covariate == "year":
            groups = year_groups(speeches).to_numpy()
            known = np.array([g.isdigit() for g in groups])
            if not known.any():
                notes["dropped"].append("year")
                continue
            years = np.array([float(g) if k else np.nan for g, k in zip(groups, known)])
            centre = float(np.median(years[known]))
            notes["year_centre"] = centre
            columns["year"] = np.where(known, years - centre, 0.0)
            for name in NO_YEAR_GROUPS:
                columns[f"year[{name}]"] = (groups == name).astype(float)
        else:
            values = speeches[covariate].astype("string").fillna("unknown").to_numpy()
            counts = pd.Series(values).value_counts()
            reference = sorted(counts.index, key=lambda v: (-counts[v], v))[0]
            notes["reference"][covariate] = reference
            for level in sorted(set(values) - {reference}):
                columns[f"{covariate}[{level}]"] = (values == level).astype(float)
    kept: list[str] = []
    for name, column in columns.items():  # keep a term only if it adds a dimension
        candidate = np.column_stack([columns[c] for c in kept] + [column])
        if np.linalg.matrix_rank(candidate) > len(kept):
            kept.append(name)
        elif column.any():
            notes["dropped"].append(name)
    return pd.DataFrame({c: columns[c] for c in kept}, index=speeches.index), notes


def estimate_effect(gamma: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame,
                    covariates=("year", "genre", "admin_level"), n_sims: int = 200, level: float = 0.95,
                    random_state: int = 0) -> EffectEstimate:
    """Regress each topic's speech proportion on covariates, carrying the topic model's uncertainty.

    The "method of composition" of R ``stm::estimateEffect`` (Roberts, Stewart & Tingley 2019,
    *J. Stat. Softw.* 91(2), §3.5; Treier & Jackman 2008, *AJPS* 52(1)). Repeat ``n_sims`` times:

    1. draw every unit's θ from its variational posterior Dirichlet(γ_u);
    2. aggregate units to speeches (token-weighted, :func:`aggregation_matrix`);
    3. fit OLS of each topic's proportion on the design (:func:`design_matrix`);
    4. draw the coefficients from their sampling distribution N(β̂, σ̂²(XᵀX)⁻¹).

    The pooled draws give mean, standard error and percentile interval per coefficient, so the
    interval reflects both sampling variation among speeches and uncertainty in θ itself.

    Parameters
    ----------
    gamma : (n_units, K) variational Dirichlet parameters, rows in ``units`` order.
    units : the corpus ``units`` table; speeches : the corpus ``speeches`` table.
    covariates : ``"year"`` and/or columns of ``speeches`` (categorical).
    n_sims : number of simulations (stm's default is 25; more gives smoother intervals).
    level : interval coverage. random_state : seed of the :class:`numpy.random.Generator`.
    """
    rng = np.random.default_rng(random_state)
    gamma = np.asarray(gamma, dtype=float)
    doc_ids = list(dict.fromkeys(units["doc_id"]))
    meta = speeches.drop_duplicates("doc_id").set_index("doc_id").reindex(doc_ids).reset_index()
    x_frame, notes = design_matrix(meta, covariates)
    x = x_frame.to_numpy()
    n, p = x.shape
    if n <= p:
        raise ValueError(f"estimate_effect: {n} speeches cannot support {p} coefficients — use fewer covariates")
    xtx_inv = np.linalg.inv(x.T @ x)
    hat = xtx_inv @ x.T
    chol = np.linalg.cholesky(xtx_inv)
    aggregate = aggregation_matrix(units, doc_ids)
    draws = np.empty((n_sims, p, gamma.shape[1]))
    for s in range(n_sims):
        raw = rng.standard_gamma(gamma)  # Dirichlet draws, one per unit, vectorised
        sums = raw.sum(axis=1, keepdims=True)
        theta = np.where(sums > 0, raw / np.where(sums > 0, sums, 1), gamma / gamma.sum(1, keepdims=True))
        y = aggregate @ theta
        beta = hat @ y
        sigma2 = ((y - x @ beta) ** 2).sum(axis=0) / (n - p)
        draws[s] = beta + (chol @ rng.standard_normal(beta.shape)) * np.sqrt(sigma2)
    alpha = (1 - level) / 2
    lower, upper = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    terms = list(x_frame.columns)
    rows = [{"topic": t, "term": term, "estimate": draws[:, j, t].mean(), "std_error": draws[:, j, t].std(ddof=1),
             "lower": lower[j, t], "upper": upper[j, t], "n_speeches": n}
            for t in range(gamma.shape[1]) for j, term in enumerate(terms)]
    design = x_frame.copy()
    design.insert(0, "year_source", meta["year_source"].fillna("unknown").to_numpy())
    design.insert(0, "doc_id", doc_ids)
    notes.update(n_sims=n_sims, level=level, random_state=random_state,
                 counts=year_groups(meta).isin(NO_YEAR_GROUPS).map({True: "no year", False: "dated"})
                 .value_counts().to_dict())
    return EffectEstimate(table=pd.DataFrame(rows), draws=draws, design=design, terms=terms, notes=notes)


# -- speech distances and clusters ----------------------------------------------------------------
def speech_distances(theta: np.ndarray, doc_ids=None) -> pd.DataFrame:
    """Jensen–Shannon distance between every pair of speeches' topic proportions.

    Uses :func:`scipy.spatial.distance.jensenshannon` with ``base=2``, so distances lie in
    [0, 1]: 0 for identical mixtures, 1 for mixtures with no topic in common (Lin 1991,
    "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1);
    Endres & Schindelin 2003 for the square root being a metric).

    Parameters
    ----------
    theta : (n_speeches, K) speech proportions (rows sum to 1).
    doc_ids : row and column labels (default 0…n-1).
    """
    p = np.asarray(theta, dtype=float)
    n = len(p)
    out = np.empty((n, n))
    block = max(1, int(4e6 // max(n * p.shape[1], 1)))  # bound the (block, n, K) temporary
    for start in range(0, n, block):
        out[start:start + block] = jensenshannon(p[start:start + block, None, :], p[None, :, :], axis=2, base=2)
    out = np.nan_to_num(out, nan=0.0)  # all-zero rows give 0/0
    np.fill_diagonal(out, 0.0)
    labels = list(doc_ids) if doc_ids is not None else list(range(n))
    return pd.DataFrame(out, index=labels, columns=labels)


@dataclass(frozen=True)
class Clustering:
    """Hierarchical clustering of speeches: scipy ``linkage`` matrix and leaf order."""

    linkage: np.ndarray
    order: np.ndarray       # row positions in dendrogram order
    doc_ids: list


def cluster_speeches(distances: pd.DataFrame, method: str = "average") -> Clustering:
    """Agglomerative clustering (UPGMA by default: Sokal & Michener 1958) on a distance table.

    ``optimal_ordering`` (Bar-Joseph et al. 2001) orders leaves so that neighbours are similar,
    which makes the heatmap readable; it does not change the tree.
    """
    condensed = squareform(distances.to_numpy(), checks=False)
    tree = linkage(condensed, method=method, optimal_ordering=len(distances) > 2)
    return Clustering(linkage=tree, order=leaves_list(tree), doc_ids=list(distances.index))


# -- representative passages and labels ------------------------------------------------------------
def find_thoughts(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame, topics=None, n: int = 3,
                  texts=None, max_per_speech: int = 1, excerpt_chars: int = 160) -> pd.DataFrame:
    """The passages (modelling units) with the highest proportion of each topic, as ``stm::findThoughts``.

    Parameters
    ----------
    theta : (n_units, K) unit proportions in ``units`` order.
    units : ``unit_id, doc_id, chunk, start_line, end_line`` per unit.
    speeches : for ``year`` and ``year_source`` (and ``source_file`` when present).
    topics : topics to report (default all).
    n : passages per topic.
    texts : optional sequence of passage texts aligned with ``units`` (see :func:`unit_texts`).
    max_per_speech : at most this many passages per speech and topic, so one long speech does
        not fill the list.
    excerpt_chars : length of the excerpt.
    """
    theta = np.asarray(theta, dtype=float)
    topics = range(theta.shape[1]) if topics is None else topics
    meta = speeches.set_index("doc_id")
    rows = []
    for topic in topics:
        taken: dict[str, int] = {}
        found = 0
        for i in np.argsort(-theta[:, topic], kind="stable"):
            if found >= n:
                break
            unit = units.iloc[i]
            if taken.get(unit["doc_id"], 0) >= max_per_speech:
                continue
            taken[unit["doc_id"]] = taken.get(unit["doc_id"], 0) + 1
            found += 1
            info = meta.loc[unit["doc_id"]] if unit["doc_id"] in meta.index else {}
            text = "" if texts is None else " ".join(str(texts[i]).split())
            rows.append({"topic": topic, "rank": found, "theta": theta[i, topic],
                         "unit_id": unit.get("unit_id"), "doc_id": unit["doc_id"], "chunk": unit.get("chunk"),
                         "source_file": info.get("source_file", pd.NA),
                         "start_line": unit.get("start_line"), "end_line": unit.get("end_line"),
                         "year": info.get("year", pd.NA), "year_source": info.get("year_source", "unknown"),
                         "excerpt": text[:excerpt_chars] + ("…" if len(text) > excerpt_chars else "")})
    return pd.DataFrame(rows)


def unit_texts(speeches: pd.DataFrame, units: pd.DataFrame, texts: dict, tokens=None) -> list[str]:
    """Text of each unit, cut from its speech's clean text by the unit's line span.

    When a speech's text does not have one line per source line (so the span cannot be mapped),
    the unit's tokens joined together stand in for the passage.
    """
    meta = speeches.set_index("doc_id")
    out = []
    for i, unit in enumerate(units.itertuples(index=False)):
        text = texts.get(unit.doc_id)
        lines = text.split("\n") if text is not None else []
        start, end = meta.at[unit.doc_id, "start_line"], meta.at[unit.doc_id, "end_line"]
        spans_known = not any(pd.isna(x) for x in (start, end, unit.start_line, unit.end_line))
        if spans_known and len(lines) == int(end) - int(start) + 1:
            out.append("\n".join(lines[int(unit.start_line) - int(start): int(unit.end_line) - int(start) + 1]))
        elif tokens is not None:
            out.append("".join(tokens[i]))
        else:
            out.append(text or "")
    return out


def label_topics(topics_table: pd.DataFrame, n: int = 7) -> pd.DataFrame:
    """Top words of each topic by probability, relevance (and FREX when given), as ``stm::labelTopics``.

    Words are re-ranked among those listed in ``topics_table`` (the model stage lists each
    topic's top words by probability, see :func:`topics.labels.label_table`). ``relevance`` is λ·log φ + (1−λ)·log(φ / p(w)) (Sievert & Shirley 2014, "LDAvis", ACL
    workshop), computed by the model stage; ranking by it favours words specific to the topic.
    """
    rows = []
    for topic, words in topics_table.groupby("topic", sort=True):
        prob = words.sort_values(["weight", "word"], ascending=[False, True])["word"].head(n)
        relevant = words.sort_values(["relevance", "word"], ascending=[False, True])["word"].head(n)
        row = {"topic": int(topic), "label": _label(int(topic), relevant.tolist()),
               "prob": "、".join(prob), "relevance": "、".join(relevant)}
        if "frex" in words:
            row["frex"] = "、".join(words.sort_values(["frex", "word"], ascending=[False, True])["word"].head(n))
        rows.append(row)
    return pd.DataFrame(rows)


def topic_labels(topics_table: pd.DataFrame, n_words: int = 3) -> dict[int, str]:
    """Short labels for figures: ``{3: "T3 计划生育·流动人口·社会抚养费"}`` (top words by relevance)."""
    table = label_topics(topics_table, n=n_words)
    return {row.topic: row.label for row in table.itertuples()}


def _label(topic: int, words: list[str]) -> str:
    return f"T{topic} " + "·".join(words)


# -- RunResult wrappers ---------------------------------------------------------------------------
def run_unit_theta(run) -> np.ndarray:
    """Unit-level θ of a run: the posterior mean of each unit's variational Dirichlet."""
    return unit_theta(run.unit_gamma)


def speech_topics_run(run) -> pd.DataFrame:
    """:func:`speech_topics` for a run, from its saved speech-level θ (``doc_topics``)."""
    units, speeches = run.corpus.units, run.corpus.speeches
    doc_topics = run.doc_topics if "doc_id" in run.doc_topics.columns else run.doc_topics.reset_index()
    present = doc_topics[doc_topics["doc_id"].isin(set(units["doc_id"]))]
    return _with_metadata(present.reset_index(drop=True), units, speeches)


def topic_prevalence_run(run, by: str = "year", **kwargs) -> pd.DataFrame:
    """:func:`topic_prevalence` for a run."""
    return topic_prevalence(run_unit_theta(run), run.corpus.units, run.corpus.speeches, by=by, **kwargs)


def estimate_effect_run(run, covariates=("year", "genre", "admin_level"), **kwargs) -> EffectEstimate:
    """:func:`estimate_effect` for a run (draws θ from the run's ``unit_gamma``)."""
    return estimate_effect(run.unit_gamma, run.corpus.units, run.corpus.speeches, covariates=covariates, **kwargs)


def speech_distances_run(run) -> pd.DataFrame:
    """:func:`speech_distances` between the speeches of a run."""
    table = speech_topics_run(run)
    return speech_distances(table[[c for c in table if c.startswith("topic_")]].to_numpy(), table["doc_id"])


def find_thoughts_run(run, topics=None, n: int = 3, **kwargs) -> pd.DataFrame:
    """:func:`find_thoughts` for a run, with passage excerpts cut from the speeches' clean text."""
    corpus = run.corpus
    try:
        texts = unit_texts(corpus.speeches, corpus.units, corpus.texts(), corpus.tokens())
    except TopicsError:  # an in-memory corpus without texts: report line spans only
        texts = None
    return find_thoughts(run_unit_theta(run), corpus.units, corpus.speeches, topics=topics, n=n, texts=texts, **kwargs)


def label_topics_run(run, n: int = 7) -> pd.DataFrame:
    """:func:`label_topics` for a run."""
    return label_topics(run.topics, n=n)
