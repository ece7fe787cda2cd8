"""`python -m app.mockgateway [--host 127.0.0.1] [--port 8100]`: the mock gateways as their own process."""
import argparse

from app.mockgateway import create_mock_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Mock VNPay / MoMo / PayGov gateways")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    create_mock_app().run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
