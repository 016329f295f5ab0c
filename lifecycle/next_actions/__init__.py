"""Next best action: a playbook of rules over churn drivers and event signals, and reps' decisions."""
