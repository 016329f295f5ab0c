"""Speech to text: engines behind one interface (``base``), chosen by name (``registry``)."""
