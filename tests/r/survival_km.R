# Reference values for nelm_stats.survival (Kaplan-Meier, medians, summary at times,
# reverse-KM follow-up, restricted mean) from R's survival package.
#
#   Rscript tests/r/survival_km.R      (from the repository root)
#
# writes tests/reference/survival_km.json, holding the data used (so the Python tests
# need no R), the R call of every case, and survfit's output.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
stopifnot(packageVersion("survival") >= "3.5")

## ---- data ---------------------------------------------------------------------------
lung <- survival::lung
lung_d <- data.frame(
  time = lung$time, status = lung$status - 1, sex = lung$sex, age = lung$age,
  ph_ecog = lung$ph.ecog
)
# non-integer case weights: inverse probability of "sex == 2" given age (logistic model)
ps <- fitted(glm(I(sex == 2) ~ age, family = binomial, data = lung_d))
lung_d$iptw <- ifelse(lung_d$sex == 2, 1 / ps, 1 / (1 - ps))
# non-integer weights from a fixed formula, and integer weights
lung_d$wfix <- 0.5 + lung_d$age / 100
lung_d$wint <- 1 + (lung_d$age %% 3)

vet <- survival::veteran
vet_d <- data.frame(time = vet$time, status = vet$status,
                    celltype = as.character(vet$celltype), karno = vet$karno)
ov_d <- data.frame(time = survival::ovarian$futime, status = survival::ovarian$fustat,
                   rx = survival::ovarian$rx)
aml_d <- data.frame(time = survival::aml$time, status = survival::aml$status,
                    x = as.character(survival::aml$x))
# Surv(1:10): S = 0.5 exactly on [5, 6) -> median 5.5 (midpoint rule)
mid_d <- data.frame(time = 1:10, status = rep(1, 10))
# curve that ends flat at 0.5 (last two censored): median = first time S <= 0.5
flat_d <- data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 0, 0))
# small set with tied events and censorings at the same time, a time 0 and two groups,
# the midpoint case within a group
tie_d <- data.frame(
  time = c(0, 2, 2, 2, 3, 5, 5, 7, 8, 8, 1, 1, 2, 4, 4, 6, 9, 9, 10, 12),
  status = c(0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1),
  g = rep(c("b", "a"), each = 10)
)
# events and censorings at time 0 (no time-0 row is added by survfit0)
zero_d <- data.frame(time = c(0, 0, 0, 1, 2, 3, 3, 4, 6),
                     status = c(1, 1, 0, 1, 1, 0, 1, 0, 1))
# near-ties that survfit (aeqSurv, timefix = TRUE) treats as ties: within sqrt(eps) absolute
# (2 vs 2.000000001) or relative to the mean time (1000 vs 1000.00001)
near_d <- data.frame(time = c(2, 2.000000001, 500, 1000, 1000.00001, 1000.00001, 1500, 2000),
                     status = c(1, 1, 0, 1, 1, 0, 1, 0))

datasets <- list(lung = lung_d, veteran = vet_d, ovarian = ov_d, aml = aml_d,
                 midpoint = mid_d, flat = flat_d, ties = tie_d, zero = zero_d, near = near_d)

## ---- helpers ----------------------------------------------------------------------
fit_km <- function(d, group, weights, conf.type, conf.int) {
  f <- if (is.null(group)) Surv(time, status) ~ 1 else
    as.formula(paste("Surv(time, status) ~", group))
  if (is.null(weights)) {
    survfit(f, data = d, conf.type = conf.type, conf.int = conf.int)
  } else {
    d$.w <- d[[weights]]
    survfit(f, data = d, weights = .w, conf.type = conf.type, conf.int = conf.int)
  }
}

strata_labels <- function(s) {   # s: a summary.survfit object
  if (is.null(s$strata)) return(rep("all", length(s$time)))
  sub("^[^=]*=", "", as.character(s$strata))
}

table_of <- function(fit) {
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  grp <- if (is.null(fit$strata)) "all" else sub("^[^=]*=", "", rownames(tab))
  list(group = grp, records = unname(tab[, "records"]), events = unname(tab[, "events"]),
       median = unname(tab[, "median"]),
       ci_lower = unname(tab[, grep("LCL$", colnames(tab))]),
       ci_upper = unname(tab[, grep("UCL$", colnames(tab))]))
}

km_case <- function(id, dataset, group = NULL, weights = NULL, conf.type = "log",
                    conf.int = 0.95, times = c(0, 90, 180, 365, 730, 1000, 2000)) {
  d <- datasets[[dataset]]
  fit <- fit_km(d, group, weights, conf.type, conf.int)
  call <- sprintf("survfit(Surv(time, status) ~ %s, data = %s%s, conf.type = \"%s\", conf.int = %s)",
                  if (is.null(group)) "1" else group, dataset,
                  if (is.null(weights)) "" else paste0(", weights = ", weights),
                  conf.type, conf.int)
  s <- summary(fit, censored = TRUE)
  curve <- list(group = strata_labels(s), time = s$time, n_risk = s$n.risk,
                n_event = s$n.event, n_censor = s$n.censor, survival = s$surv,
                std_err = s$std.err, ci_lower = s$lower, ci_upper = s$upper)
  a <- summary(fit, times = times, extend = TRUE)
  at <- list(group = strata_labels(a), time = a$time, n_risk = a$n.risk,
             n_event = a$n.event, survival = a$surv, std_err = a$std.err,
             ci_lower = a$lower, ci_upper = a$upper)
  list(id = id, dataset = dataset, group = group, weights = weights,
       conf_type = conf.type, conf_level = conf.int,
       call = call, summary_call = sprintf("summary(fit, times = c(%s), extend = TRUE)",
                                           paste(times, collapse = ", ")),
       n = fit$n, curve = curve, medians = table_of(fit), at_times = times, at = at)
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x
for (ct in c("log", "log-log", "plain")) {
  add(km_case(paste0("lung_all_", ct), "lung", conf.type = ct))
  add(km_case(paste0("lung_sex_", ct), "lung", "sex", conf.type = ct))
  add(km_case(paste0("veteran_celltype_", ct), "veteran", "celltype", conf.type = ct))
  add(km_case(paste0("ovarian_rx_", ct), "ovarian", "rx", conf.type = ct))
  add(km_case(paste0("aml_x_", ct), "aml", "x", conf.type = ct, times = c(0, 5, 12, 30, 100)))
  add(km_case(paste0("midpoint_", ct), "midpoint", conf.type = ct, times = c(0, 5, 5.5, 10, 11)))
  add(km_case(paste0("ties_g_", ct), "ties", "g", conf.type = ct, times = c(-1, 0, 2, 2.5, 9, 20)))
  add(km_case(paste0("lung_iptw_sex_", ct), "lung", "sex", weights = "iptw", conf.type = ct))
}
add(km_case("flat", "flat", times = c(1, 2, 3, 4, 5)))
add(km_case("zero_log", "zero", times = c(0, 1, 5)))
add(km_case("zero_loglog", "zero", conf.type = "log-log", times = c(0, 1, 5)))
add(km_case("near_ties", "near", times = c(2, 1000, 1000.000005)))
add(km_case("lung_ecog", "lung", "ph_ecog"))               # one NA row, a group of 1
add(km_case("lung_all_90", "lung", conf.int = 0.9))
add(km_case("lung_wfix_sex", "lung", "sex", weights = "wfix"))
add(km_case("lung_wfix_all", "lung", weights = "wfix", conf.type = "log-log"))
add(km_case("lung_wint_sex", "lung", "sex", weights = "wint"))
add(km_case("veteran_celltype_loglog_90", "veteran", "celltype", conf.type = "log-log", conf.int = 0.9))

## reverse Kaplan-Meier: median follow-up
fu_case <- function(id, dataset, group = NULL, conf = 0.95) {
  d <- datasets[[dataset]]
  f <- if (is.null(group)) Surv(time, 1 - status) ~ 1 else
    as.formula(paste("Surv(time, 1 - status) ~", group))
  fit <- survfit(f, data = d, conf.int = conf)
  tab <- table_of(fit)
  list(id = id, dataset = dataset, group = group, conf_level = conf,
       call = sprintf("survfit(Surv(time, 1 - status) ~ %s, data = %s, conf.int = %g)",
                      if (is.null(group)) "1" else group, dataset, conf),
       result = tab[c("group", "median", "ci_lower", "ci_upper")])
}
follow_up <- list(fu_case("lung_all", "lung"), fu_case("lung_sex", "lung", "sex"),
                  fu_case("veteran_celltype", "veteran", "celltype"),
                  fu_case("ovarian_rx", "ovarian", "rx"), fu_case("lung_sex_90", "lung", "sex", 0.90))

## restricted mean survival time
rm_case <- function(id, dataset, group = NULL, tau) {
  d <- datasets[[dataset]]
  f <- if (is.null(group)) Surv(time, status) ~ 1 else
    as.formula(paste("Surv(time, status) ~", group))
  fit <- survfit(f, data = d)
  tab <- summary(fit, rmean = tau)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  grp <- if (is.null(fit$strata)) "all" else sub("^[^=]*=", "", rownames(tab))
  list(id = id, dataset = dataset, group = group, tau = tau,
       call = sprintf("summary(survfit(Surv(time, status) ~ %s, data = %s), rmean = %s)$table",
                      if (is.null(group)) "1" else group, dataset, tau),
       result = list(group = grp, rmst = unname(tab[, "rmean"]),
                     std_err = unname(tab[, "se(rmean)"])))
}
rmst <- list(rm_case("lung_all_365", "lung", tau = 365),
             rm_case("lung_sex_365", "lung", "sex", 365),
             rm_case("lung_sex_1100", "lung", "sex", 1100),    # beyond the last time
             rm_case("veteran_celltype_200", "veteran", "celltype", 200),
             rm_case("aml_x_40", "aml", "x", 40),
             rm_case("ties_g_7", "ties", "g", 7),
             rm_case("ties_g_2", "ties", "g", 2))            # tau equal to an event time

## landmark at 180 days: patients with time > 180, time measured from the landmark
lm_d <- subset(lung_d, time > 180)
lm_d$time <- lm_d$time - 180
datasets$lung_landmark180 <- lm_d
landmark <- list(
  dataset = "lung", at = 180,
  call = "survfit(Surv(time - 180, status) ~ sex, data = subset(lung, time > 180))",
  n = nrow(lm_d),
  excluded_event = sum(lung_d$time <= 180 & lung_d$status == 1),
  excluded_censored = sum(lung_d$time <= 180 & lung_d$status == 0),
  logrank_call = "survdiff(Surv(time - 180, status) ~ sex, data = subset(lung, time > 180))",
  logrank = survdiff(Surv(time, status) ~ sex, data = lm_d)$chisq,
  km = km_case("lung_landmark180_sex", "lung_landmark180", "sex",
               times = c(0, 180, 365, 1000))
)

out <- list(
  generated_by = "tests/r/survival_km.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  datasets = datasets, cases = cases, follow_up = follow_up, rmst = rmst,
  landmark = landmark
)
txt <- toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, null = "null", dataframe = "columns",
              pretty = FALSE)
writeLines(txt, "tests/reference/survival_km.json")
cat("wrote tests/reference/survival_km.json with", length(cases), "KM cases\n")
