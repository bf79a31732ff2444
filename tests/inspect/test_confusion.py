"""The confusion matrix, per-class figures and the worst images, on numbers worked by hand and
on the trained digits run."""

import numpy as np

from resnet_studio.inspect.confusion import Evaluation, evaluate
from resnet_studio.inspect.run_model import load_run, load_validation


def _made(labels, predicted, losses, classes=("cat", "dog", "fox")):
    k = len(classes)
    probs = np.full((len(labels), k), 0.1, dtype=np.float32)
    probs[np.arange(len(labels)), predicted] = 0.8
    return Evaluation(
        tuple(classes),
        np.array(labels),
        np.array(predicted),
        probs,
        np.array(losses, dtype=np.float64),
    )


def test_rows_are_true_classes_and_the_figures_follow():
    #        cat cat cat dog dog fox
    ev = _made([0, 0, 0, 1, 1, 2], [0, 1, 1, 1, 0, 1], [0.1, 2.0, 3.0, 0.2, 1.5, 0.9])
    assert ev.confusion().tolist() == [[1, 2, 0], [1, 1, 0], [0, 1, 0]]
    assert ev.accuracy == 2 / 6
    assert np.allclose(ev.normalised(), [[1 / 3, 2 / 3, 0], [0.5, 0.5, 0], [0, 1, 0]])
    cat, dog, fox = ev.per_class()
    assert (cat.images, cat.correct, cat.predicted) == (3, 1, 2)
    assert cat.accuracy == cat.recall == 1 / 3 and cat.precision == 1 / 2
    assert dog.precision == 1 / 4 and dog.recall == 1 / 2
    assert fox.precision is None and fox.recall == 0  # never predicted: no precision
    assert ev.cell(0, 1).tolist() == [2, 1]  # worst loss first
    assert ev.cell(2, 2).tolist() == []
    assert ev.top_losses(3).tolist() == [2, 1, 4]
    assert ev.wrong().tolist() == [2, 1, 4, 5] and ev.wrong(1).tolist() == [4]
    assert ev.most_confused() == [("cat", "dog", 2), ("dog", "cat", 1), ("fox", "dog", 1)]
    assert ev.image(2) == {
        "index": 2,
        "label": "cat",
        "predicted": "dog",
        "probability": np.float32(0.8).item(),
        "loss": 3.0,
    }
    assert ev.csv().splitlines() == [
        "true \\ predicted,cat,dog,fox",
        "cat,1,2,0",
        "dog,1,1,0",
        "fox,0,1,0",
    ]
    assert ev.csv(normalised=True).splitlines()[1] == "cat,0.333333,0.666667,0"


def test_the_trained_run_is_measured_whole(digits_run):
    run = load_run(digits_run)
    ev = evaluate(run.model, load_validation(run), 64)
    m = ev.confusion()
    assert m.sum() == len(ev) == 180
    assert np.array_equal(m.sum(axis=1), np.bincount(ev.labels, minlength=10))
    assert np.trace(m) / len(ev) == ev.accuracy
    assert np.allclose(ev.probabilities.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(ev.probabilities.argmax(axis=1), ev.predicted)
    worst = ev.top_losses(5)
    assert list(ev.losses[worst]) == sorted(ev.losses, reverse=True)[:5]
    # a wrong image's true class has under half the probability, a right one's at least 1/10
    wrong = ev.labels != ev.predicted
    assert wrong.any() and (ev.losses[wrong] > np.log(2) - 1e-6).all()
    assert (ev.losses[~wrong] <= np.log(10) + 1e-6).all()
    assert np.allclose(ev.losses, -np.log(ev.probabilities[np.arange(180), ev.labels]), atol=1e-4)
    d = ev.to_dict()
    assert d["confusion"] == m.tolist() and d["classes"] == [str(i) for i in range(10)]
    assert len(d["per_class"]) == 10 and d["per_class"][3]["class"] == "3"
