"""nelm_stats: validated statistics for series of resected neuroendocrine liver metastases.

Every function takes a DataFrame and column names, never mutates the data, and
returns a frozen dataclass; numbers agree with R (see DESIGN.md and tests/).
"""
from .errors import (
    AnalysisError,
    ConvergenceError,
    DataReadError,
    InputError,
    InsufficientDataError,
    InvalidValueError,
    MissingColumnError,
)
from . import schema

__version__ = "0.1.0"
from .samples import load_sample, load_sample_lesions, sample_names
from .estimators.cohort import cohort_summary
from .estimators.logrank import LogrankResult, logrank_test, p_adjust, pairwise_logrank
from .estimators.competing import CumulativeIncidence, GrayTest, cumulative_incidence
from .estimators.propensity import iptw, propensity_match, propensity_model, treatment_levels
from .estimators.survival import (
    KaplanMeierResult,
    LandmarkResult,
    RMSTDifferenceResult,
    kaplan_meier,
    landmark,
    median_follow_up,
    restricted_mean,
    rmst_difference,
)
from .estimators.propensity_outcomes import compare_survival, crude_survival, matched_survival, paired_binary, survival_comparison, weighted_survival
from .estimators.proportions import (
    clustered_rates,
    compare_distribution,
    compare_rates,
    complication_summary,
    join_patient_columns,
    major_morbidity,
    margin_distribution,
    margin_r1,
    paired_change,
    recurrence_pattern,
)
from .estimators.accuracy import (
    confusion_matrix,
    diagnostic_accuracy,
    fluorescence_columns,
    patient_truth_table,
    score_columns,
    truth_positive,
    learning_curve,
    learning_curve_accuracy,
    patient_level,
    procedure_number,
    roc_analysis,
    roc_test,
)
from .estimators.cox import CoxResult, RiskFactorTable, UnivariableScreen, cox_regression, ordered_scores, proportional_hazards_test, risk_factor_table, schoenfeld_residuals, set_reference, univariable_screen
from .estimators.table_one import TableOne, table_one
from .intake.read import DEFAULT_MISSING_CODES, ReadResult, detect_format, list_sheets, read_table
from .intake.dates import AmbiguousDateOrderError, DateOrderCheck, detect_date_order, parse_dates
from .intake.normalise import NormalisedCohort, normalise_values
from .intake.mapping import (
    ColumnMapping,
    MappedCohort,
    apply_mapping,
    data_dictionary,
    date_order_check,
    load_mapping,
    mapping_from_table,
    mapping_table,
    remap,
    save_mapping,
    suggest_mapping,
)
from .intake.derive import RFS_DEFINITIONS, Derivation, derive_endpoints, describe_endpoints
from .intake.quality import PreparedCohort, QualityReport, find_problems, patient_flow, prepare_cohort
from .intake.pipeline import ImportSettings, ImportedCohort, import_cohort, read_cohort
from .intake.privacy import age_from_birth_date, drop_columns, drop_raw_dates, flag_identifiers
from .estimators.groups import (
    NumericCut,
    categorical_columns,
    covariate_columns,
    cut_numeric,
    default_covariates,
    default_grouping,
    default_treatment,
    grouping_columns,
    numeric_columns,
    treatment_columns,
    default_reference,
)
from .report.survival_report import CompetingReport, SurvivalReport, competing_event_type, competing_report, survival_report
from .estimators.planning import NoninferioritySampleSize, PlanningInputs, SurvivalSampleSize, noninferiority_power, noninferiority_sample_size, planning_inputs, proportions_power, proportions_sample_size, survival_power, survival_sample_size
from .intake.pipeline import ImportSettings, ImportedCohort, import_cohort, is_canonical, read_cohort
from .report.settings import AnalysisSettings, Settings, reconcile, resolve, settings_from_json, settings_to_json
from .estimators.contrasts import ImmortalTime, KmVsCif, MatchedPairsIgnored, OptimalCutpoint, PairwiseAdjustment, altman_corrected_p, immortal_time, km_vs_cif, matched_pairs_ignored, optimal_cutpoint, pairwise_adjustment
