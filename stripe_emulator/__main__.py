"""``python -m stripe_emulator --port 12111``: run the emulator in the foreground."""

import argparse
import time

from .emulator import StripeEmulator


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the local Stripe emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--secret-key", default="sk_test_emulator")
    parser.add_argument("--publishable-key", default="pk_test_emulator")
    parser.add_argument("--client-id", default="ca_emulator")
    parser.add_argument("--live-secret-key", default=None)
    parser.add_argument("--live-publishable-key", default=None)
    parser.add_argument("--live-client-id", default=None)
    args = parser.parse_args(argv)
    emulator = StripeEmulator(host=args.host, port=args.port, secret_key=args.secret_key,
                              publishable_key=args.publishable_key, client_id=args.client_id,
                              live_secret_key=args.live_secret_key,
                              live_publishable_key=args.live_publishable_key,
                              live_client_id=args.live_client_id)
    emulator.start()
    print(f"Stripe emulator listening on {emulator.base_url}", flush=True)
    print(f"  secret key:      {emulator.secret_key}", flush=True)
    print(f"  publishable key: {emulator.publishable_key}", flush=True)
    print(f"  client id:       {emulator.client_id}", flush=True)
    print(f"  Stripe.js:       {emulator.js_url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
