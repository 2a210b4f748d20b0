"""Uploads on an S3-compatible bucket (``MEDIA_STORAGE=s3``; local files are the default).

Every object is written with the type its name says, from the names we chose
(``kepuri.uploads``), never the type a browser sent; a PDF is a download. The
bucket is another origin than the site, so nothing in an object can act as one
of our pages; what Django's media view adds on top (``nosniff``, a sandbox
policy) a bucket cannot send, a CDN in front can (README).
"""

from pathlib import PurePosixPath

from botocore.config import Config
from storages.backends.s3 import S3Storage

from .uploads import MEDIA_TYPES


class MediaStorage(S3Storage):
    def __init__(self, **settings):
        super().__init__(**settings)
        if self.endpoint_url:
            # Not AWS: boto3's default checksums (x-amz-checksum-* headers, an aws-chunked trailer
            # over HTTPS) are refused by OSS, COS and others; only where an operation requires one.
            self.client_config = self.client_config.merge(
                Config(
                    request_checksum_calculation="when_required", response_checksum_validation="when_required"
                )
            )

    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        content_type = MEDIA_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")
        parameters["ContentType"] = content_type
        if content_type == "application/pdf":
            parameters["ContentDisposition"] = "attachment"
        return parameters
