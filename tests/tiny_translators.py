"""The smallest image-to-image model, for serving tests that need an `image_bytes` input."""

import keras


@keras.saving.register_keras_serializable(package="ganzoo_tests")
class Inverter(keras.Model):
    """Inverts the image (plus one trainable offset): output = -input + offset, in [-1, 1]."""

    serving_family = "image_to_image"
    image_shape = (8, 6, 3)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.offset = self.add_weight(shape=(), initializer="zeros", name="offset")
        self.built = True

    def translate(self, images):
        return -images + self.offset
