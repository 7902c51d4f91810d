"""One transfer straight to the S3 endpoint with boto3 (upload_file / download_file, s3transfer's
defaults: 8 MiB parts, 10 threads), the baseline the artifact benchmarks compare with. Prints the
seconds it took.

usage: AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... s3_direct.py up|down ENDPOINT BUCKET LOCAL_FILE
"""

import sys
import time

import boto3
from botocore.config import Config

direction, endpoint, bucket, local = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
start = time.monotonic()
if direction == "up":
    s3.upload_file(local, bucket, "payload.bin")
else:
    s3.download_file(bucket, "payload.bin", local)
print(time.monotonic() - start)
