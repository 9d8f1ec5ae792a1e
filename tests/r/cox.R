# Reference values for nelm_stats.cox (coxph with Efron ties, robust/cluster variance, cox.zph).
# Run from the repository root:  Rscript tests/r/cox.R
# Writes tests/reference/cox.json (data used + results), so the Python tests need no R.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival"))))

# ---------------------------------------------------------------- data (exported as used)
lung2 <- data.frame(
  time = lung$time, status = lung$status - 1L,  # lung codes 1 = censored, 2 = dead
  age = lung$age, sex = lung$sex, ph_ecog = lung$ph.ecog, ph_karno = lung$ph.karno,
  inst = lung$inst
)
# deterministic non-integer case weights
lung2$w <- 0.5 + (seq_len(nrow(lung2)) %% 7) / 4
vet <- data.frame(time = veteran$time, status = veteran$status, trt = veteran$trt,
                  celltype = veteran$celltype, karno = veteran$karno, age = veteran$age)
ova <- data.frame(futime = ovarian$futime, fustat = ovarian$fustat, age = ovarian$age,
                  resid_ds = ovarian$resid.ds, rx = ovarian$rx)

out$data <- list(
  lung = lung2,
  veteran = transform(vet, celltype = as.character(celltype)),
  ovarian = ova
)
out$levels <- list(celltype = levels(veteran$celltype))

# ---------------------------------------------------------------- models
res <- function(fit, call, spec, zph_resid = FALSE) {
  s <- summary(fit)
  zp <- cox.zph(fit)
  r <- list(
    call = call, spec = spec,
    names = names(coef(fit)),
    coef = unname(coef(fit)),
    se = unname(sqrt(diag(fit$var))),
    naive_se = if (is.null(fit$naive.var)) NULL else unname(sqrt(diag(fit$naive.var))),
    hr = unname(s$conf.int[, 1]),
    ci_lower = unname(s$conf.int[, 3]),
    ci_upper = unname(s$conf.int[, 4]),
    p = unname(s$coefficients[, ncol(s$coefficients)]),
    n = fit$n, nevent = fit$nevent, n_excluded = length(fit$na.action),
    iter = fit$iter,
    loglik = unname(fit$loglik),
    # summary() rounds the Wald and score statistics: take them from the fit itself
    lr = 2 * diff(fit$loglik), wald = unname(fit$wald.test), score = unname(fit$score),
    robust_score = if (is.null(fit$rscore)) NULL else unname(fit$rscore),
    concordance = unname(fit$concordance["concordance"]),
    zph = list(term = rownames(zp$table), chisq = unname(zp$table[, "chisq"]),
               df = unname(zp$table[, "df"]), p = unname(zp$table[, "p"]))
  )
  if (zph_resid) {
    r$zph_x <- unname(zp$x)
    r$zph_time <- unname(zp$time)
    r$zph_y <- unname(zp$y)  # events x terms (column-major in JSON: list of rows)
    r$zph_y_terms <- colnames(zp$y)
  }
  r
}

models <- list()

f <- coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2)
models$lung_factor <- res(f, "coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex", "ph_ecog"),
       factors = c("sex", "ph_ecog")), zph_resid = TRUE)

f <- coxph(Surv(time, status) ~ age + sex + ph_ecog + ph_karno, data = lung2)
models$lung_numeric <- res(f, "coxph(Surv(time, status) ~ age + sex + ph_ecog + ph_karno, data = lung2)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex", "ph_ecog", "ph_karno")))

# ph_ecog as factor 0..3 coded as a trend 1..4 in Python gives the same slope as numeric 0..3
f <- coxph(Surv(time, status) ~ age + ph_ecog, data = lung2)
models$lung_trend <- res(f, "coxph(Surv(time, status) ~ age + ph_ecog, data = lung2)  # ph_ecog numeric",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "ph_ecog"),
       factors = c("ph_ecog"), trend = c("ph_ecog")))

f <- coxph(Surv(time, status) ~ age + ph_ecog + strata(sex), data = lung2)
models$lung_strata <- res(f, "coxph(Surv(time, status) ~ age + ph_ecog + strata(sex), data = lung2)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "ph_ecog"),
       strata = c("sex")), zph_resid = TRUE)

f <- coxph(Surv(time, status) ~ age + factor(sex) + ph_karno, data = lung2, weights = w, robust = TRUE)
models$lung_weights_robust <- res(f,
  "coxph(Surv(time, status) ~ age + factor(sex) + ph_karno, data = lung2, weights = w, robust = TRUE)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex", "ph_karno"),
       factors = c("sex"), weights = "w"))

f <- coxph(Surv(time, status) ~ age + factor(sex) + ph_ecog, data = lung2, cluster = inst)
models$lung_cluster <- res(f,
  "coxph(Surv(time, status) ~ age + factor(sex) + ph_ecog, data = lung2, cluster = inst)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex", "ph_ecog"),
       factors = c("sex"), cluster = "inst"))

f <- coxph(Surv(time, status) ~ age + factor(sex) + strata(ph_ecog), data = lung2, weights = w,
           cluster = inst)
models$lung_cluster_strata_weights <- res(f,
  "coxph(Surv(time, status) ~ age + factor(sex) + strata(ph_ecog), data = lung2, weights = w, cluster = inst)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex"),
       factors = c("sex"), strata = c("ph_ecog"), weights = "w", cluster = "inst"))

f <- coxph(Surv(time, status) ~ age + sex, data = lung2, robust = TRUE)
models$lung_robust <- res(f, "coxph(Surv(time, status) ~ age + sex, data = lung2, robust = TRUE)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex"), robust = TRUE))

f <- coxph(Surv(time, status) ~ I(age / 10) + sex, data = lung2)
models$lung_units <- res(f, "coxph(Surv(time, status) ~ I(age / 10) + sex, data = lung2)",
  list(data = "lung", time = "time", event = "status", covariates = c("age", "sex"),
       units = list(age = 10)))

f <- coxph(Surv(time, status) ~ trt + celltype + karno + age, data = vet)
models$veteran <- res(f, "coxph(Surv(time, status) ~ trt + celltype + karno + age, data = veteran)",
  list(data = "veteran", time = "time", event = "status",
       covariates = c("trt", "celltype", "karno", "age"), factors = c("celltype")))

vet$celltype2 <- relevel(vet$celltype, ref = "large")
f <- coxph(Surv(time, status) ~ trt + celltype2 + karno, data = vet)
models$veteran_reference <- res(f,
  "coxph(Surv(time, status) ~ trt + relevel(celltype, ref = 'large') + karno, data = veteran)",
  list(data = "veteran", time = "time", event = "status", covariates = c("trt", "celltype", "karno"),
       factors = c("celltype"), reference = list(celltype = "large")))

f <- coxph(Surv(futime, fustat) ~ age + factor(resid_ds) + rx, data = ova)
models$ovarian <- res(f, "coxph(Surv(futime, fustat) ~ age + factor(resid_ds) + rx, data = ovarian)",
  list(data = "ovarian", time = "futime", event = "fustat", covariates = c("age", "resid_ds", "rx"),
       factors = c("resid_ds")))

out$models <- models

# confidence level other than 95 %: summary(fit, conf.int = 0.90)
s90 <- summary(coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2), conf.int = 0.90)
out$conf_90 <- list(call = "summary(coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2), conf.int = 0.90)",
                    ci_lower = unname(s90$conf.int[, 3]), ci_upper = unname(s90$conf.int[, 4]))
write_json(out, "tests/reference/cox.json", digits = NA, auto_unbox = TRUE, pretty = FALSE,
           na = "null")
cat("wrote tests/reference/cox.json\n")
