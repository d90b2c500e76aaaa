import os
import sys
from pathlib import Path

# flyte reads a configured registry from the environment; the tests set their own
os.environ.pop("FLYTE_IMAGE_REGISTRY", None)
sys.path.insert(0, str(Path(__file__).parent))
