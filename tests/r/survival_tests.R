# Reference values for nelm_stats.logrank (survdiff) and nelm_stats.competing (cmprsk::cuminc).
# Run from the repository root:  Rscript tests/r/survival_tests.R
# Writes tests/reference/survival_tests.json (data used + results), so the Python tests need no R.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

out <- list(
  versions = list(
    R = R.version.string,
    survival = as.character(packageVersion("survival")),
    cmprsk = as.character(packageVersion("cmprsk"))
  )
)

# ---------------------------------------------------------------- data (exported as used)
lung2 <- data.frame(
  time = lung$time, event = lung$status - 1L,  # lung codes 1 = censored, 2 = dead
  sex = lung$sex, ph_ecog = lung$ph.ecog
)
# near-ties: every second time multiplied by (1 + 1e-12); survdiff's aeqSurv treats them as tied
lung2$time_fuzzy <- lung2$time * ifelse(seq_len(nrow(lung2)) %% 2 == 0, 1 + 1e-12, 1)
vet <- data.frame(time = veteran$time, event = veteran$status,
                  celltype = as.character(veteran$celltype), trt = veteran$trt)
celltype_levels <- levels(veteran$celltype)
vet$celltype <- factor(vet$celltype, levels = celltype_levels)
ova <- data.frame(futime = ovarian$futime, fustat = ovarian$fustat,
                  rx = ovarian$rx, resid_ds = ovarian$resid.ds)

out$data <- list(
  lung = lung2,
  veteran = transform(vet, celltype = as.character(celltype)),
  veteran_celltype_levels = celltype_levels,
  ovarian = ova
)

# ---------------------------------------------------------------- survdiff
sd_result <- function(fit, call, trend = FALSE) {
  o <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  e <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  res <- list(
    call = call,
    group = sub("^[^=]*=", "", names(fit$n)),
    n = as.numeric(fit$n),
    observed = as.numeric(o),
    expected = as.numeric(e),
    var = unname(fit$var),
    statistic = fit$chisq,
    df = sum(e > 0) - 1,
    p_value = fit$pvalue
  )
  if (trend) {
    # Test for trend, scores 1..k in the groups' order:
    #   chi2(1) = (c'(O - E))^2 / (c' V c), with O - E and V from survdiff
    cc <- seq_along(o)
    u <- sum(cc * (o - e))
    v <- as.numeric(t(cc) %*% fit$var %*% cc)
    res$trend_statistic <- u^2 / v
    res$trend_p_value <- pchisq(u^2 / v, 1, lower.tail = FALSE)
  }
  res
}

sdiff <- list()
sdiff$lung_sex <- sd_result(
  survdiff(Surv(time, event) ~ sex, data = lung2),
  "survdiff(Surv(time, event) ~ sex, data = lung2)")
sdiff$lung_sex_rho1 <- sd_result(
  survdiff(Surv(time, event) ~ sex, data = lung2, rho = 1),
  "survdiff(Surv(time, event) ~ sex, data = lung2, rho = 1)")
sdiff$lung_sex_strata_ecog <- sd_result(
  survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2),
  "survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2)")
sdiff$lung_sex_strata_ecog_rho1 <- sd_result(
  survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2, rho = 1),
  "survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2, rho = 1)")
sdiff$lung_ecog <- sd_result(
  survdiff(Surv(time, event) ~ ph_ecog, data = lung2),
  "survdiff(Surv(time, event) ~ ph_ecog, data = lung2)", trend = TRUE)
sdiff$lung_sex_fuzzy <- sd_result(
  survdiff(Surv(time_fuzzy, event) ~ sex, data = lung2),
  "survdiff(Surv(time_fuzzy, event) ~ sex, data = lung2)")
sdiff$veteran_celltype <- sd_result(
  survdiff(Surv(time, event) ~ celltype, data = vet),
  "survdiff(Surv(time, event) ~ celltype, data = vet)", trend = TRUE)
sdiff$veteran_celltype_rho1 <- sd_result(
  survdiff(Surv(time, event) ~ celltype, data = vet, rho = 1),
  "survdiff(Surv(time, event) ~ celltype, data = vet, rho = 1)", trend = TRUE)
sdiff$veteran_celltype_strata_trt <- sd_result(
  survdiff(Surv(time, event) ~ celltype + strata(trt), data = vet),
  "survdiff(Surv(time, event) ~ celltype + strata(trt), data = vet)", trend = TRUE)
sdiff$ovarian_rx <- sd_result(
  survdiff(Surv(futime, fustat) ~ rx, data = ova),
  "survdiff(Surv(futime, fustat) ~ rx, data = ova)")
sdiff$ovarian_rx_rho05_strata <- sd_result(
  survdiff(Surv(futime, fustat) ~ rx + strata(resid_ds), data = ova, rho = 0.5),
  "survdiff(Surv(futime, fustat) ~ rx + strata(resid_ds), data = ova, rho = 0.5)")
out$survdiff <- sdiff

# ---------------------------------------------------------------- pairwise (survminer-like loop)
pairwise <- function(d, rho = 0) {
  lv <- levels(d$celltype)
  rows <- list()
  for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
    s <- droplevels(d[d$celltype %in% lv[c(i, j)], ])
    f <- survdiff(Surv(time, event) ~ celltype, data = s, rho = rho)
    rows[[length(rows) + 1]] <- data.frame(group_a = lv[i], group_b = lv[j],
      statistic = f$chisq, p_value = pchisq(f$chisq, 1, lower.tail = FALSE))
  }
  r <- do.call(rbind, rows)
  for (m in c("holm", "bonferroni", "BH", "none")) r[[paste0("p_", m)]] <- p.adjust(r$p_value, m)
  r
}
out$pairwise <- list(
  veteran_celltype = list(
    call = paste("for each pair a < b of levels(celltype):",
                 "survdiff(Surv(time, event) ~ celltype, data = droplevels(vet[vet$celltype %in% c(a, b), ]));",
                 "p.adjust(p, method)"),
    table = pairwise(vet)),
  veteran_celltype_rho1 = list(
    call = "as above with rho = 1", table = pairwise(vet, rho = 1))
)
# p.adjust on a vector with ties and an NA
pv <- c(0.01, 0.04, 0.03, 0.04, NA, 0.2, 0.0005)
out$p_adjust <- list(p = pv, holm = p.adjust(pv, "holm"),
                     bonferroni = p.adjust(pv, "bonferroni"), BH = p.adjust(pv, "BH"))

# ---------------------------------------------------------------- cmprsk::cuminc on mgus2
# event: 1 = progression to plasma-cell malignancy (PCM), 2 = death without PCM, 0 = censored
mg <- data.frame(
  etime = with(mgus2, ifelse(pstat == 0, futime, ptime)),
  event = with(mgus2, ifelse(pstat == 0, 2 * death, 1)),
  sex = as.character(mgus2$sex),
  age = mgus2$age
)
mg$agegrp <- as.character(cut(mg$age, c(0, 60, 75, Inf), labels = c("a<=60", "b60-75", "c>75")))
mg$old <- as.integer(mg$age > 70)
out$data$mgus2 <- mg

z <- qnorm(0.975)
ci_loglog <- function(est, var) {
  # log(-log) CI:  est ^ exp(+-z * sqrt(var) / (est * log(est)))
  se <- sqrt(var)
  lo <- est^exp(-z * se / (est * log(est)))
  hi <- est^exp(z * se / (est * log(est)))
  lo[est == 0] <- 0; hi[est == 0] <- 0
  list(lower = lo, upper = hi)
}
ci_curve <- function(fit) {
  # every curve of a cuminc fit: cmprsk's (time, est, var) vectors + the CI
  fit <- fit[names(fit) != "Tests"]
  lapply(fit, function(cv) c(list(time = cv$time, est = cv$est, var = cv$var),
                              ci_loglog(cv$est, cv$var)))
}
tp_times <- c(-1, 0, 6, 12, 60, 120, 240, 300.5, 400, 1000)
tp <- function(fit) {
  p <- timepoints(fit, tp_times)
  ci <- ci_loglog(p$est, p$var)
  list(rows = rownames(p$est), times = as.numeric(colnames(p$est)),
       est = unname(p$est), var = unname(p$var),
       lower = unname(ci$lower), upper = unname(ci$upper))
}
tests_of <- function(fit) {
  t <- fit$Tests
  # cmprsk prints pv = 1 - pchisq(stat, df), which is 0 below ~1e-16; pv_upper is the same
  # probability computed as an upper tail, exact for tiny p-values
  list(cause = rownames(t), stat = unname(t[, "stat"]), pv = unname(t[, "pv"]), df = unname(t[, "df"]),
       pv_upper = pchisq(unname(t[, "stat"]), unname(t[, "df"]), lower.tail = FALSE))
}

cr <- list()
f1 <- cuminc(mg$etime, mg$event, group = mg$sex)
cr$mgus2_sex <- list(call = "cuminc(mg$etime, mg$event, group = mg$sex)",
                     curves = ci_curve(f1), timepoints = tp(f1), tests = tests_of(f1))
f2 <- cuminc(mg$etime, mg$event)
cr$mgus2_all <- list(call = "cuminc(mg$etime, mg$event)",
                     curves = ci_curve(f2), timepoints = tp(f2))
f3 <- cuminc(mg$etime, mg$event, group = mg$agegrp)
cr$mgus2_agegrp <- list(call = "cuminc(mg$etime, mg$event, group = mg$agegrp)",
                        curves = ci_curve(f3), timepoints = tp(f3), tests = tests_of(f3))
f4 <- cuminc(mg$etime, mg$event, group = mg$sex, strata = mg$old)
cr$mgus2_sex_strata_old <- list(call = "cuminc(mg$etime, mg$event, group = mg$sex, strata = mg$old)",
                                tests = tests_of(f4))

# ---------------------------------------------------------------- synthetic, heavy ties
# three groups (group c followed for a shorter time), two strata, integer times; seed fixed.
set.seed(20240607)
n <- 80
g <- sample(c("a", "b", "c"), n, replace = TRUE, prob = c(.5, .3, .2))
syn <- data.frame(
  t = round(rexp(n, 0.2) * ifelse(g == "c", 0.4, 1)),
  ev = sample(0:2, n, replace = TRUE, prob = c(.3, .4, .3)),
  g = g, st = sample(1:2, n, replace = TRUE))
syn$e <- as.integer(syn$ev > 0)
out$data$ties <- syn
sdiff_t <- list()
sdiff_t$rho0 <- sd_result(survdiff(Surv(t, e) ~ g, data = syn),
                          "survdiff(Surv(t, e) ~ g, data = syn)", trend = TRUE)
sdiff_t$rho1_strata <- sd_result(survdiff(Surv(t, e) ~ g + strata(st), data = syn, rho = 1),
                                 "survdiff(Surv(t, e) ~ g + strata(st), data = syn, rho = 1)", trend = TRUE)
out$survdiff_ties <- sdiff_t
f5 <- cuminc(syn$t, syn$ev, group = syn$g)
cr$ties <- list(call = "cuminc(syn$t, syn$ev, group = syn$g)",
                curves = ci_curve(f5), timepoints = tp(f5), tests = tests_of(f5))
f6 <- cuminc(syn$t, syn$ev, group = syn$g, strata = syn$st)
cr$ties_strata <- list(call = "cuminc(syn$t, syn$ev, group = syn$g, strata = syn$st)",
                       tests = tests_of(f6))
# a singular score variance: cuminc reports stat = -1 (we report NaN)
# (also: an event at time 0; group c is one patient censored at 0)
sing <- data.frame(
  t = c(0, 0, 1, 1, 2, 2, 3, 4, 6, 6, 9, 21),
  ev = c(0, 1, 1, 1, 2, 2, 0, 1, 2, 1, 1, 1),
  g = c("c", "a", "b", "a", "a", "b", "a", "b", "b", "b", "b", "b"))
out$data$singular <- sing
f7 <- cuminc(sing$t, sing$ev, group = sing$g)
cr$singular <- list(call = "cuminc(sing$t, sing$ev, group = sing$g)", tests = tests_of(f7))
out$cuminc <- cr
out$tp_times <- tp_times
out$z <- z

dir.create("tests/reference", showWarnings = FALSE)
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, dataframe = "columns",
                  matrix = "rowmajor"),
           "tests/reference/survival_tests.json")
cat("wrote tests/reference/survival_tests.json\n")
