#!/usr/bin/env bash
# Starts a throwaway S3-compatible server (moto, from PyPI) with a bucket, runs the command given
# with the AWS_* variables and PERMIS_TEST_S3 set, then stops the server whatever happened.
set -euo pipefail
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/permis-s3.XXXXXX.log)
python3 -m moto.server -H 127.0.0.1 -p "$PORT" > "$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=permis-test AWS_SECRET_ACCESS_KEY=permis-test AWS_REGION=eu-west-3
export AWS_ENDPOINT="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true
for _ in $(seq 1 100); do
  python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)))" && break
  sleep 0.1
done
python3 - <<PY
import boto3
boto3.client("s3", endpoint_url="$AWS_ENDPOINT", region_name="eu-west-3").create_bucket(
    Bucket="permis-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
PY
export PERMIS_TEST_S3="s3://permis-test"
echo "S3 jetable (moto) sur le port $PORT"
"$@"
