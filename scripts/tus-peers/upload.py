#!/usr/bin/env python3
"""Uploads one file with tuspy, the official Python tus client, with its checksum option on
(which always sends sha1): the way a Python program would upload evidence to the bureau.

    python3 scripts/tus-peers/upload.py --endpoint URL --file PATH --evidence-id ID
            [--token TOKEN] [--chunk-size BYTES]

The token (else the environment variable TUS_TOKEN) goes as `Authorization: Bearer ...` on
every request; the evidence id as the `evidence_id` metadata. Chunks are 8 MiB unless told.
On success it prints the upload's URL and exits 0; on failure it prints the error to stderr
and exits 1 (2 for a wrong command line).

Checked by hand against the official Node server (which ignores the checksums):
    node scripts/tus-peers/serve.mjs --port 0 --dir /tmp/tus-files   # prints: port 41234
    head -c 20000000 /dev/urandom > /tmp/rec.mp4
    python3 scripts/tus-peers/upload.py --endpoint http://127.0.0.1:41234/files/ --file /tmp/rec.mp4 --evidence-id E1 --token t0k
    cmp /tmp/rec.mp4 /tmp/tus-files/<the id at the end of the printed URL>
"""

import argparse
import os
import sys

EIGHT_MIB = 8 * 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description="Upload one file with tuspy.")
    parser.add_argument("--endpoint", required=True, help="the tus creation URL")
    parser.add_argument("--file", required=True, help="the file to upload")
    parser.add_argument("--evidence-id", required=True, help="sent as the evidence_id metadata")
    parser.add_argument("--token", help="the bearer token (default: $TUS_TOKEN)")
    parser.add_argument("--chunk-size", type=int, default=EIGHT_MIB, help="bytes per PATCH")
    args = parser.parse_args()
    if args.chunk_size <= 0:
        parser.error("--chunk-size must be a positive number of bytes")

    try:
        from tusclient import client
        from tusclient.exceptions import TusCommunicationError
    except ImportError:
        print("upload.py: tuspy is missing: run scripts/install-deps.sh test", file=sys.stderr)
        return 1

    token = args.token or os.environ.get("TUS_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    tus = client.TusClient(args.endpoint, headers=headers)
    try:
        with open(args.file, "rb") as stream:
            uploader = tus.uploader(
                file_stream=stream,
                chunk_size=args.chunk_size,
                metadata={"evidence_id": args.evidence_id},
                upload_checksum=True,
            )
            uploader.upload()
    except TusCommunicationError as error:
        # The server's status and answer, when there was one, say why (a 460 is a checksum refused).
        said = ""
        if error.status_code is not None:
            detail = error.response_content or b""
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            said = f" (status {error.status_code}: {detail.strip()})"
        print(f"upload.py: the upload of {args.file} failed: {error}{said}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"upload.py: the upload of {args.file} failed: {error}", file=sys.stderr)
        return 1
    print(uploader.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
