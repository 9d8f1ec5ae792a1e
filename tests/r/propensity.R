# Reference values for the outcome side of nelm_stats.propensity: the propensity model (glm),
# Cox after matching (robust SE clustered on the matched set), weighted Cox (robust=TRUE),
# weighted Kaplan-Meier, McNemar / conditional odds ratio for 1:1 matched pairs.
#
#   .venv/bin/python tests/r/propensity_matches.py   # matched sets made by nelm_stats (CSV)
#   Rscript tests/r/propensity.R                       # from the repository root
#
# writes tests/reference/propensity.json with the data used (lalonde from MatchIt via
# tests/reference/lalonde.csv; survival::lung), the matched sets, every R call and its output.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
stopifnot(packageVersion("survival") >= "3.5")
out <- list(r_version = R.version.string, survival_version = as.character(packageVersion("survival")))

## ---- 1. propensity model: glm(binomial) on lalonde ----------------------------------------
lal <- read.csv("tests/reference/lalonde.csv", stringsAsFactors = FALSE)
lal$race <- factor(lal$race)  # levels black, hispan, white: "black" is the reference
g <- glm(treat ~ age + educ + race + married + nodegree + re74 + re75, family = binomial, data = lal)
sg <- summary(g)$coefficients
out$glm_lalonde <- list(
  call = "glm(treat ~ age + educ + race + married + nodegree + re74 + re75, family = binomial, data = lalonde)",
  term = rownames(sg), coef = unname(sg[, 1]), std_err = unname(sg[, 2]),
  statistic = unname(sg[, 3]), p_value = unname(sg[, 4]),
  fitted = unname(fitted(g)), deviance = g$deviance, iter = g$iter
)

## ---- 2. survival::lung, "treatment" sex (2 = female), covariates age + ph.ecog -------------
lung <- survival::lung
ld <- data.frame(row = seq_len(nrow(lung)), time = lung$time, status = lung$status - 1,
                 sex = lung$sex, age = lung$age, ph_ecog = lung$ph.ecog)
out$lung <- ld
cc <- ld[!is.na(ld$ph_ecog), ]  # complete cases for the propensity model (1 row left out)
gl <- glm(I(sex == 2) ~ age + ph_ecog, family = binomial, data = cc)
cc$ps <- fitted(gl)
out$glm_lung <- list(call = "glm(I(sex == 2) ~ age + ph.ecog, family = binomial, data = lung)",
                     coef = unname(coef(gl)), fitted = unname(cc$ps), row = cc$row)

cox_row <- function(fit, call) {
  s <- summary(fit)
  list(call = call, n = fit$n, events = fit$nevent, coef = unname(coef(fit)),
       std_err = unname(sqrt(diag(fit$var))), naive_std_err = unname(sqrt(diag(fit$naive.var %||% fit$var))),
       hazard_ratio = unname(exp(coef(fit))),
       ci_lower = unname(s$conf.int[, "lower .95"]), ci_upper = unname(s$conf.int[, "upper .95"]),
       p_value = unname(s$coefficients[, "Pr(>|z|)"]))
}
`%||%` <- function(a, b) if (is.null(a)) b else a

# crude: unadjusted Cox on the same patients as the propensity model
out$cox_crude <- cox_row(coxph(Surv(time, status) ~ I(sex == 2), data = cc),
                         "coxph(Surv(time, status) ~ I(sex == 2), data = lung_complete)")

# matched sets from nelm_stats' matcher (tests/r/propensity_matches.py)
m <- read.csv("tests/r/propensity_lung_matches.csv")
out$matches <- m
for (des in c("1:1", "2:1")) {
  md <- merge(cc, m[m$design == des, ], by = "row")
  fit <- coxph(Surv(time, status) ~ I(sex == 2), data = md, weights = match_weight, cluster = match_id)
  out[[paste0("cox_matched_", sub(":", "_", des))]] <- cox_row(
    fit, "coxph(Surv(time, status) ~ I(sex == 2), data = matched, weights = match_weight, cluster = match_id)")
  km <- survfit(Surv(time, status) ~ sex, data = md, weights = match_weight)
  sk <- summary(km, times = c(180, 365, 540), extend = TRUE)
  out[[paste0("km_matched_", sub(":", "_", des))]] <- list(
    call = "summary(survfit(Surv(time, status) ~ sex, data = matched, weights = match_weight), times = c(180, 365, 540))",
    strata = as.character(sk$strata), time = sk$time, surv = sk$surv, std_err = sk$std.err,
    lower = sk$lower, upper = sk$upper)
}

# with replacement: a control can sit in several matched sets, so cluster on the patient
mr <- merge(cc, m[m$design == "2:1 with replacement", ], by = "row")
out$cox_matched_replace <- cox_row(
  coxph(Surv(time, status) ~ I(sex == 2), data = mr, weights = match_weight, cluster = row),
  "coxph(Surv(time, status) ~ I(sex == 2), data = matched_rows, weights = match_weight, cluster = patient)")

# IPTW (ATE, stabilised): weighted Cox with robust SE, weighted Kaplan-Meier (robust IJ SE)
p1 <- mean(cc$sex == 2)
cc$w <- ifelse(cc$sex == 2, p1 / cc$ps, (1 - p1) / (1 - cc$ps))
out$iptw_weights <- cc$w
out$cox_weighted <- cox_row(coxph(Surv(time, status) ~ I(sex == 2), data = cc, weights = w, robust = TRUE),
                            "coxph(Surv(time, status) ~ I(sex == 2), data = lung_complete, weights = w, robust = TRUE)")
kw <- survfit(Surv(time, status) ~ sex, data = cc, weights = w)
sk <- summary(kw, times = c(180, 365, 540), extend = TRUE)
out$km_weighted <- list(
  call = "summary(survfit(Surv(time, status) ~ sex, data = lung_complete, weights = w), times = c(180, 365, 540))",
  strata = as.character(sk$strata), time = sk$time, surv = sk$surv, std_err = sk$std.err,
  lower = sk$lower, upper = sk$upper)

## ---- 3. paired binary outcome in the 1:1 matched pairs: death within 365 days ---------------
md <- merge(cc, m[m$design == "1:1", ], by = "row")
md$dead1y <- md$status == 1 & md$time <= 365
tr <- md[md$sex == 2, c("match_id", "dead1y")]
co <- md[md$sex == 1, c("match_id", "dead1y")]
pp <- merge(tr, co, by = "match_id", suffixes = c("_t", "_c"))
tab <- table(factor(pp$dead1y_t, c(TRUE, FALSE)), factor(pp$dead1y_c, c(TRUE, FALSE)))
b <- tab[1, 2]; c_ <- tab[2, 1]
mt <- mcnemar.test(tab)
bt <- binom.test(b, b + c_)
out$mcnemar <- list(
  call = "mcnemar.test(table(treated, control)); binom.test(b, b + c)",
  a = tab[1, 1], b = b, c = c_, d = tab[2, 2],
  statistic = unname(mt$statistic), df = unname(mt$parameter), p_value = mt$p.value,
  exact_p_value = bt$p.value, odds_ratio = b / c_,
  ci_lower = bt$conf.int[1] / (1 - bt$conf.int[1]), ci_upper = bt$conf.int[2] / (1 - bt$conf.int[2])
)

write_json(out, "tests/reference/propensity.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat("wrote tests/reference/propensity.json\n")
