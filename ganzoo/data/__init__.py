"""tf.data pipelines for GAN training.

Conventions shared by every pipeline here: images are float32 NHWC in
[-1, 1]; elements are batches (`drop_remainder=True`, because GAN steps need
full global batches); `labels=True` makes elements `(images, int32 labels)`;
shuffling is seeded and reproducible; nothing is read or downloaded until a
function is called. Loaders of image files take `on_bad_image="fail"|"skip"`
(see `ganzoo.data.image_folder` and `BadImageReport`).
"""

from ganzoo.data._file_decoding import BAD_IMAGE_POLICIES
from ganzoo.data._file_decoding import BadImageReport
from ganzoo.data._file_decoding import bad_image_policy
from ganzoo.data.domains import CELEBA_DEFAULT_ATTRS
from ganzoo.data.domains import COLOUR_DOMAINS
from ganzoo.data.domains import attribute_folder
from ganzoo.data.domains import celeb_a_attributes
from ganzoo.data.domains import colour_digits
from ganzoo.data.domains import colour_digits_arrays
from ganzoo.data.folders import IMAGE_EXTENSIONS
from ganzoo.data.folders import image_folder
from ganzoo.data.folders import list_image_files
from ganzoo.data.idx import idx_arrays
from ganzoo.data.idx import idx_images
from ganzoo.data.idx import read_idx
from ganzoo.data.mixtures import MIXTURE_KINDS
from ganzoo.data.mixtures import mixture_2d
from ganzoo.data.mixtures import mixture_2d_modes
from ganzoo.data.paired import DIRECTIONS
from ganzoo.data.paired import PIX2PIX_DATASETS
from ganzoo.data.paired import DownloadError
from ganzoo.data.paired import download_pix2pix_dataset
from ganzoo.data.paired import jitter_size
from ganzoo.data.paired import paired_images
from ganzoo.data.sklearn_digits import DIGITS_SPLITS
from ganzoo.data.sklearn_digits import digits
from ganzoo.data.sklearn_digits import digits_arrays
from ganzoo.data.sklearn_digits import digits_split_indices
from ganzoo.data.specs import DATASET_FORMS
from ganzoo.data.specs import from_spec
from ganzoo.data.specs import parse_spec
from ganzoo.data.tfds_datasets import DatasetNotPreparedError
from ganzoo.data.tfds_datasets import tfds_images
from ganzoo.data.unpaired import CYCLE_GAN_DATASETS
from ganzoo.data.unpaired import unpaired_folders
from ganzoo.data.unpaired import unpaired_from_pairs
from ganzoo.data.unpaired import unpaired_tfds
