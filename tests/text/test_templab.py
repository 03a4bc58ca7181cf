"""lib.text.templab: the exported weights and limits, the static element, the live lab's
controls, bad input, and (where Node.js is installed) lib/text/templab/templab.js
against lib.text.sampling on the same weights, and against its payload's limits."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import numpy as np
import pytest
import torch

from lib.text import templab
from lib.text.cache import chapter_configs
from lib.text.corpus import UnknownCharacterError, Vocabulary
from lib.text.model import CharLSTM
from lib.text.sampling import Sampler, entropy_bits, export_weights
from lib.text.templab import lab_javascript, lab_limits, lab_settings
from tests.text.tiny import sharp_char_model

VOCAB = Vocabulary("abcdefgh \n:ROME")


@pytest.fixture(scope="module")
def model():
    return sharp_char_model(VOCAB)


@pytest.fixture(scope="module")
def static(model):
    return templab.static_lab(
        model, prompt="ROME", temperature=0.8, seed=3, meta={"run": "x"}
    )


def payload_from_html(element: str) -> dict:
    data = re.search(
        r'<script type="application/json" class="templab-data">(.*?)</script>',
        element,
        flags=re.S,
    ).group(1)
    return json.loads(data)


# ----------------------------------------------------------------- the exported weights
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_payload_round_trip_is_exact(num_layers):
    model = sharp_char_model(VOCAB, num_layers=num_layers)
    settings = lab_settings(model.vocab, prompt="ab")
    payload = json.loads(json.dumps(templab.encode_payload(model, settings)))
    vocab, weights = templab.decode_payload(payload)
    expected = export_weights(model)
    assert vocab == model.vocab and weights.keys() == expected.keys()
    for name, w in expected.items():
        assert weights[name].dtype == np.float32 and np.array_equal(weights[name], w), (
            name
        )


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_model_from_weights_holds_the_same_numbers(num_layers):
    model = sharp_char_model(VOCAB, num_layers=num_layers)
    weights = export_weights(model)
    rebuilt = Sampler(templab.model_from_weights(model.vocab, weights))
    for name, w in weights.items():
        assert np.array_equal(rebuilt.weights[name], w), name
    original = Sampler(model)
    assert rebuilt.greedy("ab", 40) == original.greedy("ab", 40)
    sample = dict(temperature=1.3, seed=5)
    assert rebuilt.sample("ab", 40, **sample) == original.sample("ab", 40, **sample)


def test_a_damaged_payload_is_an_error(model, static):
    payload = json.loads(json.dumps(static.payload))
    with pytest.raises(ValueError, match="format"):
        templab.decode_payload({**payload, "format": 99})
    payload["arrays"]["b_p"]["b64"] = payload["arrays"]["b_p"]["b64"][:-8]
    with pytest.raises(ValueError):
        templab.decode_payload(payload)
    payload = json.loads(json.dumps(static.payload))
    payload["sha256"] = "0" * 64
    with pytest.raises(ValueError, match="corrupt"):
        templab.decode_payload(payload)
    payload = json.loads(json.dumps(static.payload))
    payload["vocab"] = payload["vocab"][:-1]  # weights of another vocabulary
    with pytest.raises(ValueError, match="do not fit"):
        templab.decode_payload(payload)
    with pytest.raises(ValueError, match="lack"):
        templab.model_from_weights(
            model.vocab, {"table": np.zeros((len(model.vocab), 8))}
        )


def test_the_payload_carries_the_limits_and_the_labels(model, static):
    payload = json.loads(json.dumps(static.payload))
    assert payload["format"] == templab.PAYLOAD_FORMAT == 2
    limits = payload["limits"]
    assert limits == lab_limits()
    assert limits["tau"] == list(templab.TAU_RANGE)
    assert limits["slider"] == list(templab.SLIDER)
    assert limits["length"] == [1, templab.MAX_LENGTH] == [1, 2000]
    assert limits["seed"] == [0, templab.MAX_SEED] == [0, 2**32 - 1]
    assert limits["top_shown"] == templab.TOP_SHOWN == 20
    assert limits["curve_points"] == templab.CURVE_POINTS == 121
    assert limits["ticks"] == {
        "tau": [0.05, 0.1, 0.2, 0.5, 1, 2, 5],
        "beta": [0.2, 0.5, 1, 2, 5, 10, 20],
    }
    assert payload["labels"] == [templab.shown_char(ch) for ch in model.vocab.chars]
    assert {"↵", "␣"} <= set(payload["labels"])  # VOCAB holds "\n" and " "


def test_a_payload_of_another_format_is_a_clear_error(static):
    old = {
        key: value
        for key, value in json.loads(json.dumps(static.payload)).items()
        if key not in ("limits", "labels")
    }  # as format 1 wrote them
    with pytest.raises(ValueError, match="format 2"):
        templab.decode_payload({**old, "format": 1})
    with pytest.raises(ValueError, match=r"lacks \['labels', 'limits'\]"):
        templab.decode_payload(old)


# ------------------------------------------------------------------- the static element
def test_the_element_carries_weights_settings_and_code(model, static):
    element = static._repr_html_()
    payload = payload_from_html(element)
    assert payload == json.loads(json.dumps(static.payload))
    assert payload["settings"] == {
        "prompt": "ROME",
        "tau": 0.8,
        "greedy": False,
        "convention": "tau",
        "length": 200,
        "seed": 3,
        "topK": None,
    }
    assert payload["meta"] == {"run": "x"} and payload["vocab"] == list(
        model.vocab.chars
    )
    assert lab_javascript() in element and "TempLab.mount(root)" in element
    assert 'class="templab-fallback"' in element  # what shows when no script runs
    data = element.split('class="templab-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data  # nothing in the JSON can close the script
    n_numbers = sum(p.numel() for p in export_weights_tensors(model))
    assert static.weights_bytes == 4 * n_numbers
    assert static.base64_bytes == sum(
        4 * math.ceil(4 * math.prod(a["shape"]) / 3) for a in payload["arrays"].values()
    )
    assert "MB" in repr(static)


def export_weights_tensors(model):
    return [torch.from_numpy(w) for w in export_weights(model).values()]


def test_the_element_loads_nothing_from_outside(static):
    element = static.html
    assert not re.search(r"\b(src|href)\s*=", element)
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\s*\(|WebSocket)\b", element)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", element))
    assert urls <= {
        "http://www.w3.org/2000/svg"
    }  # an XML namespace name, never requested


def test_two_labs_get_two_ids(model):
    first, second = (templab.static_lab(model, prompt="ab") for _ in range(2))
    ids = [
        re.search(r'id="(templab-[^"]+)"', lab.html).group(1) for lab in (first, second)
    ]
    assert ids[0] != ids[1]


def test_book_size_weights_stay_under_two_megabytes(monkeypatch):
    monkeypatch.setenv("BOOK_SIZE", "book")
    model_config, _ = chapter_configs("shakespeare")
    shakespeare = Vocabulary(
        "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    )
    assert len(shakespeare) == 65
    lab = templab.static_lab(CharLSTM(shakespeare, model_config), prompt="ROMEO:\n")
    assert lab.weights_bytes < 2e6 and lab.html_bytes < 2e6 * 4 / 3 + 100_000


def js_code_without_comments() -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", lab_javascript(), flags=re.S)


def js_number(x) -> str:
    """A number as JavaScript writes it: 2000, 0.05."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def test_the_javascript_states_no_limit_of_its_own():
    """The limits travel in the payload: templab.js holds neither their names nor their
    numbers (those of two characters or fewer, such as 5 or 20, are too common to
    check)."""
    code = js_code_without_comments()
    names = [
        "TAU_RANGE",
        "SLIDER",
        "MAX_LENGTH",
        "MAX_SEED",
        "TOP_SHOWN",
        "CURVE_POINTS",
    ]
    assert [name for name in names if re.search(rf"\b{name}\b", code)] == []
    limits = lab_limits()
    numbers = [
        *limits["tau"],
        *limits["slider"],
        *limits["length"],
        *limits["seed"],
        limits["seed"][1] + 1,
        limits["curve_points"],
    ]
    literals = {js_number(abs(x)) for x in numbers if len(js_number(abs(x))) > 2}
    literals |= {", ".join(map(js_number, t[:3])) for t in limits["ticks"].values()}
    assert {"0.05", "1.3", "0.7", "0.01", "2000", "4294967295", "121"} <= literals
    found = [
        lit
        for lit in literals
        if re.search(rf"(?<![\w.]){re.escape(lit)}(?![\w.])", code)
    ]
    assert found == [], f"templab.js restates {found}"
    assert "20 most likely" not in code and "376 / 20" not in code
    format_read = re.search(r"const FORMAT = (\d+);", code)  # the one number it knows
    assert format_read and int(format_read.group(1)) == templab.PAYLOAD_FORMAT


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "settings, error",
    [
        ({"temperature": float("nan")}, ValueError),
        ({"temperature": -1.0}, ValueError),
        ({"temperature": 50.0}, ValueError),
        ({"temperature": 0.5, "beta": 2.0}, ValueError),
        ({"temperature": "hot"}, TypeError),
        ({"convention": "kelvin"}, ValueError),
        ({"prompt": ""}, ValueError),
        ({"prompt": "ab€"}, UnknownCharacterError),
        ({"length": 0}, ValueError),
        ({"length": 5000}, ValueError),
        ({"length": True}, ValueError),
        ({"seed": -1}, ValueError),
        ({"seed": 2**32}, ValueError),
        ({"top_k": 0}, ValueError),
        ({"top_k": 99}, ValueError),
        ({"top_k": 2.5}, ValueError),
    ],
)
def test_bad_settings_are_clear_errors(model, settings, error):
    with pytest.raises(error):
        lab_settings(model.vocab, **{"prompt": "ab", **settings})
    with pytest.raises(error):
        templab.static_lab(model, **{"prompt": "ab", **settings})


def test_only_a_char_model_has_a_lab():
    with pytest.raises(TypeError, match="CharLSTM"):
        templab.LiveLab(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="CharLSTM"):
        templab.static_lab("model.pt")


def test_greedy_and_beta_settings(model):
    assert lab_settings(model.vocab, prompt="a", temperature=0).greedy
    s = lab_settings(model.vocab, prompt="a", beta=4.0, convention="beta")
    assert s.tau == 0.25 and not s.greedy and templab.setting_name(s) == "β = 4"
    tau = lab_settings(model.vocab, prompt="a", temperature=0.5)
    assert templab.setting_name(tau) == "τ = 0.5"
    greedy = lab_settings(model.vocab, prompt="a", temperature=0)
    assert templab.setting_name(greedy) == "τ = 0 (greedy)"


def test_the_javascript_writes_tau():
    """The browser lab labels its controls and charts as the book writes them: τ."""
    code = lab_javascript()
    for label in (
        '"divide by τ"',
        '"greedy (τ = 0)"',
        '"τ (divide the logits), log scale"',
        '"β = 1/τ (multiply the logits), log scale"',
        '"τ = 0 (greedy)"',
        "P_τ (filled)",
    ):
        assert label in code, f"templab.js lacks the label {label}"
    for old in ("divide by T", "greedy (T = 0)", "1/T (multiply", "P_T"):
        assert old not in code, f"templab.js still writes {old!r}"
    # and names it tau, as the book writes τ (T is the sequence length)
    old_names = re.findall(r"\b(?:T|clampT|softmaxT|shownT)\b", code)
    assert old_names == [], f"templab.js still names the temperature {old_names}"


def test_the_settings_name_the_temperature_tau(model):
    """The settings, the payload and the conventions name τ ``tau``, as the book writes
    it (T is the sequence length)."""
    assert "tau" in templab.LabSettings.__dataclass_fields__
    assert "T" not in templab.LabSettings.__dataclass_fields__
    assert templab.CONVENTIONS == ("tau", "beta")
    s = lab_settings(model.vocab, prompt="a", temperature=0.5)
    payload = templab.encode_payload(model, s)
    assert payload["settings"]["tau"] == 0.5 and "T" not in payload["settings"]
    assert "tau" in payload["limits"] and "T" not in payload["limits"]
    assert set(payload["limits"]["ticks"]) == {"tau", "beta"}


# ------------------------------------------------------------------------- the live lab
@pytest.fixture
def lab(model):
    return templab.LiveLab(model, prompt="ROME", temperature=1.0, length=60, seed=0)


def test_the_lab_has_every_control(lab):
    assert set(lab.controls) == {
        "convention",
        "temperature",
        "greedy",
        "prompt",
        "length",
        "seed",
        "top_k",
        "resample",
    }
    slider = lab.controls["temperature"]
    assert (
        type(slider).__name__ == "FloatLogSlider"
        and lab.labels["temperature"].value == "τ"
    )
    assert lab.controls["convention"].options == (
        ("divide by τ", "tau"),
        ("multiply by β", "beta"),
    )
    assert lab.controls["greedy"].description == "greedy (τ = 0)"
    assert "τ (divide the logits)" in lab.displays["curve"].value
    assert "P_τ = " in lab.displays["bars"].value  # the bars' tooltips
    assert all(
        not getattr(c, "description", "")
        for name, c in lab.controls.items()
        if name not in ("resample", "greedy")
    )  # buttons: the book's widget manager
    assert (
        type(lab.controls["greedy"]).__name__ == "ToggleButton"
    )  # typesets nothing else
    assert (slider.min, slider.max) == (-1.3, 0.7)  # τ from about 0.05 to 5
    assert "svg" in lab.displays["bars"].value and "svg" in lab.displays["curve"].value
    assert lab.displays["bars"].value.count('fill="#1f77b4"') == len(
        lab.vocab
    )  # V < 20 bars
    assert lab.error is None and len(lab.result["text"]) == 60
    assert "ms" in lab.displays["status"].value
    assert "text/plain" in lab._repr_mimebundle_()  # ipywidgets 8's own


def test_the_slider_sets_the_temperature(lab):
    sampler = lab.sampler
    lab.controls["temperature"].value = 0.3
    assert pytest.approx(0.3) == lab.settings.tau
    assert np.allclose(
        lab.result["P"], sampler.next_distribution("ROME", temperature=0.3)
    )
    assert lab.result["text"] == sampler.sample("ROME", 60, temperature=0.3, seed=0)
    cold = lab.result["H"]
    lab.controls["temperature"].value = 3.0
    assert lab.result["H"] > cold  # entropy grows with τ
    assert f"{lab.result['H']:.3f} bits" in lab.displays["entropy"].value


def test_greedy_is_the_argmax(lab):
    lab.controls["greedy"].value = True
    assert lab.controls["temperature"].disabled
    assert lab.result["text"] == lab.sampler.greedy("ROME", 60)
    assert lab.result["H"] == 0 and lab.result["P"].max() == 1
    assert "τ = 0 (greedy)" in lab.displays["entropy"].value


def test_the_convention_relabels_the_same_distributions(lab):
    lab.controls["temperature"].value = 0.5
    before = lab.result
    lab.controls["convention"].value = "beta"
    slider = lab.controls["temperature"]
    assert lab.labels["temperature"].value == "β" and slider.value == pytest.approx(2.0)
    assert (slider.min, slider.max) == (-0.7, 1.3)  # beta from about 0.2 to 20
    assert lab.result["text"] == before["text"] and np.array_equal(
        lab.result["P"], before["P"]
    )
    assert (
        "β = 2" in lab.displays["entropy"].value
        and "β = 1/τ" in lab.displays["curve"].value
    )
    slider.value = 4.0  # a larger beta is a colder text
    assert pytest.approx(0.25) == lab.settings.tau and lab.result["H"] < before["H"]
    lab.controls["greedy"].value = True
    assert lab.controls["greedy"].description == "greedy (β = ∞)"


def test_top_k_keeps_k_characters(lab):
    lab.controls["temperature"].value = 5.0
    lab.controls["top_k"].value = 3
    P = lab.result["P"]
    assert np.count_nonzero(P) == 3 and lab.result["H"] <= math.log2(3) + 1e-12
    allowed = {lab.vocab.chars[i] for i in np.flatnonzero(P)}
    assert lab.result["text"][0] in allowed
    assert lab.result["text"] == lab.sampler.sample(
        "ROME", 60, temperature=5.0, top_k=3, seed=0
    )
    assert "top-k cap: log2 3" in lab.displays["curve"].value
    lab.controls["top_k"].value = 0
    assert lab.settings.top_k is None and np.count_nonzero(lab.result["P"]) == len(
        lab.vocab
    )


def test_resample_moves_to_the_next_seed(lab):
    first = lab.result["text"]
    lab.controls["resample"].click()
    assert lab.settings.seed == 1 and lab.controls["seed"].value == 1
    assert (
        lab.result["text"]
        == lab.sampler.sample("ROME", 60, temperature=1.0, seed=1)
        != first
    )


def test_prompt_and_length(lab):
    lab.controls["prompt"].value = "ab "
    lab.controls["length"].value = 7
    assert lab.result["text"] == lab.sampler.sample("ab ", 7, temperature=1.0, seed=0)
    shown = lab.displays["sample"].value
    assert shown.startswith("<pre") and "<b>ab </b>" in shown


def test_bad_prompts_are_shown_not_raised(lab):
    lab.controls["prompt"].value = "ROME€"
    assert lab.result is None and "not in the vocabulary" in lab.error
    assert "€" in lab.displays["status"].value and lab.displays["sample"].value == ""
    lab.controls["prompt"].value = ""
    assert "empty" in lab.error
    lab.controls["prompt"].value = "ROME"  # and the lab recovers
    assert lab.error is None and len(lab.result["text"]) == 60


def test_set_checks_what_it_is_given(lab):
    with pytest.raises(ValueError):
        lab.set(tau=0.0001)
    with pytest.raises(ValueError):
        lab.set(top_k=0)
    lab.set(tau=2.0, seed=9)
    assert lab.controls["temperature"].value == pytest.approx(2.0)
    assert lab.controls["seed"].value == 9


def test_update_times_cover_every_control_and_restore_the_lab(lab):
    lab.set(tau=0.7, seed=4)
    times = templab.update_times(lab, moves=4)
    assert set(times) == {
        "temperature slider",
        "convention toggle",
        "greedy on/off",
        "top-k",
        "seed (resample)",
        "typing the prompt",
    }
    assert all(len(t) == 4 and np.all(t > 0) for t in times.values())
    assert lab.settings == lab_settings(
        lab.vocab, prompt="ROME", temperature=0.7, length=60, seed=4
    )
    assert lab.controls["temperature"].value == pytest.approx(0.7)


# ---------------------------------------- showing the lab under ipywidgets 8 and 7.7
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def shell():
    """IPython's shell, whose display() shows the lab in a kernel (history in memory,
    and the singleton removed afterwards)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    assert not InteractiveShell.initialized()
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    yield InteractiveShell.instance(config=config)
    InteractiveShell.clear_instance()


def displayed(obj) -> list[dict]:
    """The MIME bundles IPython's display(obj) publishes, what a notebook keeps; any
    text it prints instead (a failing repr's traceback) is an error."""
    from IPython.display import display
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        display(obj)
    assert captured.stdout == captured.stderr == "", captured.stdout + captured.stderr
    return [output.data for output in captured.outputs]


class Widget77:
    """A widget as ipywidgets 7.7.1 (Colab's) makes it: ``_ipython_display_``
    publishes the widget view, and there is no ``_repr_mimebundle_``."""

    def __init__(self, model_id: str):
        self.model_id = model_id

    def _ipython_display_(self, **kwargs):
        from IPython.display import display

        view = {"version_major": 2, "version_minor": 0, "model_id": self.model_id}
        display({"text/plain": "VBox(...)", WIDGET_VIEW: view}, raw=True)


def test_the_lab_shows_its_widget_under_ipywidgets_8(lab, shell):
    import ipywidgets

    assert ipywidgets.__version__.startswith("8.")  # the book's environment
    (bundle,) = displayed(lab)
    assert bundle[WIDGET_VIEW]["model_id"] == lab.widget.model_id
    assert lab._repr_mimebundle_()[WIDGET_VIEW]["model_id"] == lab.widget.model_id


def test_the_lab_shows_its_widget_under_ipywidgets_7(lab, shell, monkeypatch):
    monkeypatch.setattr(lab, "widget", Widget77("lab-77"))
    assert not hasattr(lab, "_repr_mimebundle_")  # as its widget
    (bundle,) = displayed(lab)
    assert bundle[WIDGET_VIEW]["model_id"] == "lab-77"


def test_show_live_displays_the_lab(model, shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        lab = templab.show_live(model, prompt="ROME", length=20)
    (output,) = captured.outputs
    assert output.data[WIDGET_VIEW]["model_id"] == lab.widget.model_id


def test_entropy_curve_is_lib_entropy(model):
    logits = Sampler(model).read("ROME")[0]
    x, H = templab.entropy_curve(logits, "tau", None)
    assert len(x) == templab.CURVE_POINTS
    assert x[0] == pytest.approx(0.05) and x[-1] == pytest.approx(5)
    assert H[7] == pytest.approx(
        entropy_bits(Sampler(model).next_distribution("ROME", x[7]))
    )
    assert np.all(np.diff(H) > 0)
    _xb, Hb = templab.entropy_curve(logits, "beta", None)
    assert np.allclose(Hb, H[::-1], rtol=1e-9)  # the same curve, read backwards


# ------------------------------------------------------- the JavaScript, run in Node.js
NODE = shutil.which("node")
NODE_CHECK = (
    "\n"
    "const TempLab = require(process.argv[2]);\n"
    'const input = JSON.parse(require("fs").readFileSync(0, "utf8"));\n'
    "const m = TempLab.decodeModel(input.payload), out = {runs: [], uniforms: {}};\n"
    "for (const run of input.runs) {\n"
    "  const start = TempLab.read(m, TempLab.encode(m, run.prompt));\n"
    "  out.runs.push({text: TempLab.decode(m, "
    "TempLab.sample(m, start, run.length, run.tau, run.topK, run.seed)),\n"
    "                 P: Array.from(TempLab.softmaxTau(start.logits, run.tau, "
    "run.topK))});\n"
    "}\n"
    "for (const seed of input.seeds) {\n"
    "  const rng = new TempLab.NumpyRandom(seed);\n"
    "  out.uniforms[seed] = Array.from({length: 5}, () => rng.random());\n"
    "}\n"
    'for (const bad of ["ab\\u20ac", ""]) {\n'
    "  try { TempLab.read(m, TempLab.encode(m, bad)); out.noError = bad; }\n"
    "  catch (e) { (out.errors = out.errors || []).push(e.message); }\n"
    "}\n"
    "console.log(JSON.stringify(out));\n"
)


def run_node(folder, check: str, data: dict) -> dict:
    """Run ``check`` in Node.js with lib/text/templab/templab.js (as the page inlines
    it) as its first argument and ``data`` as JSON on stdin: what it prints, decoded."""
    (folder / "templab.js").write_text(lab_javascript(), encoding="utf-8")
    (folder / "check.js").write_text(check, encoding="utf-8")
    command = [NODE, str(folder / "check.js"), str(folder / "templab.js")]
    result = subprocess.run(
        command,
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_javascript_agrees_with_python(tmp_path):
    model = sharp_char_model(Vocabulary("abcdefghijklmnop \n:ROME"), n=24)
    sampler = Sampler(model)
    runs = [
        {"prompt": p, "length": 100, "tau": 0, "topK": None, "seed": 0}
        for p in ("ROME", "abc", "\n")
    ]
    runs += [
        {"prompt": "ROME", "length": 100, "tau": tau, "topK": k, "seed": seed}
        for tau, k, seed in [
            (0.5, None, 1),
            (1.0, None, 2),
            (2.0, 4, 3),
            (4.0, None, 2**31),
        ]
    ]
    seeds = [0, 1, 42, 2**32 - 1, 2**40 + 5]
    payload = templab.encode_payload(model, lab_settings(model.vocab, prompt="ROME"))
    data = {"payload": payload, "runs": runs, "seeds": seeds}
    out = run_node(tmp_path, NODE_CHECK, data)
    for run, js in zip(runs, out["runs"]):
        tau, k = run["tau"], run["topK"]
        expected = sampler.sample(
            run["prompt"], run["length"], temperature=tau, top_k=k, seed=run["seed"]
        )
        assert js["text"] == expected, run
        P = sampler.next_distribution(run["prompt"], temperature=tau, top_k=k)
        assert np.abs(np.array(js["P"]) - P).max() < 1e-6, run
    for seed in seeds:
        assert (
            out["uniforms"][str(seed)] == np.random.default_rng(seed).random(5).tolist()
        ), seed
    assert "noError" not in out and len(out["errors"]) == 2
    assert "U+20AC" in out["errors"][0] and "empty" in out["errors"][1]


NODE_LIMITS = """
const TempLab = require(process.argv[2]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const accepts = (f) => { try { f(); return true; } catch (e) { return e.message; } };
const results = input.payloads.map((payload) => {
  const lim = TempLab.readLimits(payload);
  const whole = (name, n) =>
    accepts(() => TempLab.wholeNumber(name, String(n), lim[name]));
  return {format: TempLab.FORMAT,
          length: input.lengths.map((n) => whole("length", n)),
          seed: input.seeds.map((n) => whole("seed", n)),
          clamped: input.temperatures.map((t) => TempLab.clampTau(lim, t)),
          slider: {tau: TempLab.sliderRange(lim, "tau"),
                   beta: TempLab.sliderRange(lim, "beta")},
          values: {tau: TempLab.valueRange(lim, "tau"),
                   beta: TempLab.valueRange(lim, "beta")},
          curve: TempLab.curveValues(lim, "tau"),
          shown: TempLab.topShown(lim, Float64Array.from(input.P1))};
});
const p = input.payloads[0];
const reversed = Object.assign({}, p.limits, {slider: [0.7, -1.3, 0.01]});
const errors = [
  accepts(() => TempLab.decodeModel(Object.assign({}, p, {format: 1}))),
  accepts(() => TempLab.readLimits(Object.assign({}, p, {limits: undefined}))),
  accepts(() => TempLab.readLimits(Object.assign({}, p, {limits: reversed})))];
console.log(JSON.stringify({results, errors}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_javascript_takes_its_limits_from_the_payload(model, tmp_path):
    """A payload with other limits changes what the JavaScript accepts and draws."""
    settings = lab_settings(model.vocab, prompt="ab")
    payload = json.loads(json.dumps(templab.encode_payload(model, settings)))
    changed = json.loads(json.dumps(payload))
    changed["limits"].update(
        tau=[0.1, 2.0],
        slider=[-1.0, 0.3, 0.05],
        length=[1, 50],
        seed=[0, 99],
        top_shown=5,
        curve_points=11,
    )
    P1 = np.random.default_rng(0).dirichlet(np.ones(len(model.vocab)))
    data = {
        "payloads": [payload, changed],
        "lengths": [0, 1, 50, 51, 2000, 2001],
        "seeds": [-1, 0, 99, 100, 2**32 - 1, 2**32],
        "temperatures": [0.01, 0.07, 1.0, 3.0, 50.0],
        "P1": P1.tolist(),
    }
    out = run_node(tmp_path, NODE_LIMITS, data)
    for limits, js in zip(
        [payload["limits"], changed["limits"]], out["results"], strict=True
    ):
        for name in ("length", "seed"):
            low, high = limits[name]
            within = [low <= n <= high for n in data[name + "s"]]
            assert [r is True for r in js[name]] == within
            assert all(r is True or f"from {low} to {high}" in r for r in js[name])
        low, high = limits["tau"]
        assert js["clamped"] == pytest.approx(np.clip(data["temperatures"], low, high))
        assert js["values"]["tau"] == [low, high]
        assert js["values"]["beta"] == pytest.approx([1 / high, 1 / low])
        s_min, s_max, _ = limits["slider"]
        assert js["slider"] == {"tau": [s_min, s_max], "beta": [-s_max, -s_min]}
        m = limits["curve_points"]
        grid = low * (high / low) ** (np.arange(m) / (m - 1))
        assert js["curve"] == pytest.approx(grid.tolist(), rel=1e-12)
        ranked = sorted(range(len(P1)), key=lambda v: (-P1[v], v))
        assert js["shown"] == ranked[: limits["top_shown"]]
        assert js["format"] == templab.PAYLOAD_FORMAT
    lab_grid, _ = templab.entropy_curve(np.zeros(len(model.vocab)), "tau", None)
    assert out["results"][0]["curve"] == pytest.approx(lab_grid.tolist(), rel=1e-12)
    lengths = [result["length"] for result in out["results"]]
    assert lengths[0] != lengths[1]  # 51 is now too long
    assert "format 1" in out["errors"][0] and "format 2" in out["errors"][0]
    assert "limits lack tau" in out["errors"][1]
    assert "limits lack slider" in out["errors"][2]
