from . import (
    test_gateway,
    test_live_stripe,
    test_money,
)
