"""The partnership's performance framework: outcomes, measures and targets, actions and
their updates, delivery boards, the three risks computed from the data, board reports
and notifications."""
