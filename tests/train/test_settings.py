"""The training settings document: one table, values that fit, a TrainConfig from them."""

from resnet_studio.train.config import TrainConfig
from resnet_studio.train.settings import SETTINGS, TrainSettings


def test_defaults_are_train_configs_and_a_round_trip_keeps_them():
    s = TrainSettings()
    d = TrainConfig()
    assert s.config() == TrainConfig(device="auto")
    for x in SETTINGS:  # an empty data folder box is TrainConfig's None: the default folder
        assert s[x.name] == ("" if x.name == "data_dir" else getattr(d, x.name)), x.name
    seen = []
    s.changed.connect(lambda doc, name: seen.append(name))
    assert s.set("lr", 0.2) and s.set("epochs", 3.0) and s.set("dataset", "cifar10")
    assert seen == ["lr", "epochs", "dataset"] and s["epochs"] == 3
    again = TrainSettings()
    again.restore(s.to_dict())
    assert again.to_dict() == s.to_dict()
    assert again.config("cpu", 2) == TrainConfig(
        dataset="cifar10", epochs=3, lr=0.2, device="cpu", threads=2
    )


def test_values_that_do_not_fit_keep_the_default():
    s = TrainSettings()
    s.restore({"epochs": 0, "lr": 2e6, "dataset": "imagenet", "augment": "yes", "batch_size": True})
    assert s.to_dict() == TrainSettings().to_dict()
    assert not s.set("optimizer", "lion") and s["optimizer"] == TrainConfig().optimizer
    s.restore("not a dict")  # a hand-edited settings file: nothing taken
    assert s.to_dict() == TrainSettings().to_dict()
