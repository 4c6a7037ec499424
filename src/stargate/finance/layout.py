"""Row names of the compiled simulator's arrays: a block's state, its scratch, the trace
(:mod:`stargate.finance.steps`, :mod:`stargate.finance.engine`, :mod:`stargate.finance.simulate`).

State and scratch arrays hold a block of scenarios on their last axis (the lanes).
"""

from __future__ import annotations

# per-scenario state: node floats (SN, n); the last OUT_N rows are results
(CASH_, NEW_DEBT, SOLD, POT, LOSS_, WRITEDOWN, RECEIVED, SHORTFALL, EQUITY, DEBT, SALES,
 CUTS) = range(12)  # fmt: skip
SN, OUT_FIRST, OUT_N = 12, 4, 8
PAID, CUT, BACKLOG, DELIVERED, BUILT = range(5)  # leg floats (SK, K)
SK = 5
UNPAID, STRANDED, LENDER_LOSS = range(3)  # scalars (3,)
# scratch: node floats (WN, n)
(W_REVENUE, W_OCF, W_MARGIN, W_ROLLED, W_DS, W_GROWTH, W_GROWTH_DEBT, W_SALES_CAP, W_EQUITY_CAP,
 W_DEBT_CAP, W_FUNDS, W_EL, W_PROJECT, W_HAS, W_OUT, W_IN, W_E, W_TOPUP, W_RATIO, W_EXTERNAL,
 W_A, W_B, W_C, W_PLEDGED, W_CAN_PAY, W_SOLD, W_MARKET_EQUITY, W_RAISED_DEBT, W_TOPPED, W_CASH,
 W_SHORT_OUT) = range(31)  # fmt: skip
WN = 31
L_MOOD, L_ROLL, L_INTEREST, L_SHORT, L_UNPAID = range(5)  # one value per lane (WL, LANES)
WL = 5
# leg floats (WK, K)
(K_DUE, K_DELTA, K_BUILT_NOW, K_REMAINING, K_DEFERRED, K_CANCELLED, K_PAID_LEG, K_EQUITY_DUE,
 K_ACTIVE) = range(9)  # fmt: skip
WK = 9
Q_PAIR, Q_PAID = range(2)  # pair floats (2, Q)
B_CAPEX, B_LEASE, B_PROJECT = range(3)  # build floats (3, B)
# the trace of one scenario: (P, TN, n), (P, TK, K), (P, TB, B)
(T_GROWTH, T_ROLLED, T_REVENUE, T_OTHER_COSTS, T_MARGIN, T_DEBT_SERVICE, T_ASSET_SALES,
 T_EQUITY, T_DEBT, T_TOPUP, T_UNPAID_OUTSIDE, T_UNPAID_NETWORK,
 T_DEFAULTED) = range(13)  # fmt: skip
TN = 13
T_DUE, T_PAID, T_DEFERRED, T_CUT = range(4)
TK = 4
T_BUILD_CAPEX, T_BUILD_LEASE, T_PROJECT_DEBT = range(3)
TB = 3
