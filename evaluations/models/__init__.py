from evaluations.models.dataset import Dataset, DatasetItem, FrozenDataset
from evaluations.models.evaluation import Evaluation, EvaluationTrial

__all__ = ["Dataset", "DatasetItem", "Evaluation", "EvaluationTrial", "FrozenDataset"]
