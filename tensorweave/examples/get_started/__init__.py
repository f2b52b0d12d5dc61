"""TF's "Get Started" programs on the Iris data: premade_estimator and custom_estimator."""
