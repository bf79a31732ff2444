"""Run in a fresh process (huggingface_hub reads its folders from the environment at import):
lays out a Hugging Face cache as huggingface_hub does for timm's resnet10t.c3_in1k, with
random weights, then checks that timm's own ``create_model(pretrained=True)`` loads it offline,
that ResNet Studio finds and verifies it and gives timm's probabilities for a photo, and that a
blob whose content is not its name is refused. Prints "OK" at the end."""

import hashlib
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
root = Path(sys.argv[1])
os.environ["HF_HUB_CACHE"] = str(root / "hf")

import timm  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from resnet_studio.inspect.pretrained import look_at_file, open_pretrained  # noqa: E402
from resnet_studio.train.errors import TrainError  # noqa: E402
from resnet_studio.weights.cache import find_file, hf_hub_cache  # noqa: E402
from resnet_studio.weights.catalogue import find  # noqa: E402
from resnet_studio.weights.listing import row  # noqa: E402

NAME = "resnet10t.c3_in1k"
assert hf_hub_cache() == root / "hf"
torch.manual_seed(0)
theirs = timm.create_model("resnet10t", pretrained=False).eval()
with torch.no_grad():
    theirs.fc.weight.mul_(20)
state = {k: v.contiguous() for k, v in theirs.state_dict().items()}
repo = root / "hf" / "models--timm--resnet10t.c3_in1k"
(repo / "blobs").mkdir(parents=True)
tmp = repo / "blobs" / "tmp"
save_file(state, str(tmp))
digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
tmp.rename(repo / "blobs" / digest)
rev = "a" * 40
(repo / "snapshots" / rev).mkdir(parents=True)
(repo / "snapshots" / rev / "model.safetensors").symlink_to(f"../../blobs/{digest}")
(repo / "refs").mkdir()
(repo / "refs" / "main").write_text(rev)

loaded = timm.create_model(NAME, pretrained=True).eval()  # timm's own loader, offline
for k, v in state.items():
    assert torch.equal(loaded.state_dict()[k], v), k

entry = find(NAME)
assert find_file(entry) == repo / "snapshots" / rev / "model.safetensors"
assert row(entry).cached

image = Image.fromarray((torch.rand(90, 120, 3) * 255).byte().numpy()).resize((300, 200))
image.save(root / "photo.png")
opened = open_pretrained(NAME)
report = look_at_file(opened, root / "photo.png")
cfg = timm.data.resolve_data_config({}, model=loaded)
x = timm.data.create_transform(**cfg)(Image.open(root / "photo.png").convert("RGB"))
with torch.no_grad():
    probs = loaded(x[None])[0].softmax(0)
ours = torch.tensor(report.prediction.probabilities)
assert (ours - probs.double()).abs().max() < 1e-4, (ours - probs).abs().max()
assert report.prediction.predicted == int(probs.argmax())
assert opened.preprocess.crop == 176 and opened.preprocess.interpolation == "bicubic"

# the same blob name over other content: refused, and left as it is
blob = repo / "blobs" / digest
blob.write_bytes(blob.read_bytes()[:-8] + b"\0" * 8)
try:
    open_pretrained(NAME, preset="resnet10t")
except TrainError as e:
    assert digest in str(e) and "not loaded" in str(e), e
else:
    raise AssertionError("a changed blob was loaded")
assert blob.exists() and not row(entry).cached
print("OK")
