# Reference values for nelm_stats.estimators.planning (study planning: sample size and power).
# Run from the repository root:  Rscript tests/r/planning.R
# Writes tests/reference/planning.json (full precision). R >= 4, rpact 3.3.4, pwr 1.3.0
# (Debian: apt-get install r-cran-rpact r-cran-pwr).
suppressPackageStartupMessages({ library(jsonlite); library(rpact); library(pwr) })
out <- list(versions = list(R = R.version.string, rpact = as.character(packageVersion("rpact")),
                            pwr = as.character(packageVersion("pwr"))))

## ---- survival sample size: getSampleSizeSurvival over a grid of designs ----
grid <- expand.grid(hazard_ratio = c(0.5, 0.7, 1.4), median_control = c(12, 36), accrual_time = c(18, 36),
                    follow_up_time = c(12, 36), allocation_ratio = c(1, 2), dropout_rate = c(0, 0.1),
                    alpha = c(0.05, 0.01), sided = c(1, 2), method = c("Schoenfeld", "Freedman"),
                    stringsAsFactors = FALSE)
grid$power <- rep(c(0.8, 0.9), length.out = nrow(grid))
grid$dropout_time <- 12
extra <- data.frame(hazard_ratio = c(0.6, 0.6, 0.8, 2.0, 0.6), median_control = c(24, 24, 60, 6, 120),
                    accrual_time = c(24, 24, 48, 12, 60), follow_up_time = c(36, 0, 24, 6, 60),
                    allocation_ratio = c(1, 1, 3, 0.5, 1), dropout_rate = c(0.1, 0.05, 0.2, 0.3, 0.02),
                    alpha = c(0.05, 0.05, 0.025, 0.1, 0.05), sided = c(2, 2, 1, 2, 2),
                    method = c("Schoenfeld", "Freedman", "Schoenfeld", "Freedman", "Schoenfeld"),
                    power = c(0.8, 0.8, 0.85, 0.7, 0.95), dropout_time = c(12, 12, 24, 6, 36),
                    stringsAsFactors = FALSE)
grid <- rbind(grid, extra)
res <- lapply(seq_len(nrow(grid)), function(i) {
  g <- grid[i, ]
  x <- suppressWarnings(getSampleSizeSurvival(
    alpha = g$alpha, beta = 1 - g$power, sided = g$sided, hazardRatio = g$hazard_ratio,
    median2 = g$median_control, accrualTime = c(0, g$accrual_time), followUpTime = g$follow_up_time,
    allocationRatioPlanned = g$allocation_ratio, dropoutRate1 = g$dropout_rate,
    dropoutRate2 = g$dropout_rate, dropoutTime = g$dropout_time, typeOfComputation = g$method))
  c(events = x$maxNumberOfEvents, patients = x$maxNumberOfSubjects, patients_treated = x$nFixed1,
    patients_control = x$nFixed2)
})
out$survival_sample_size <- cbind(grid, do.call(rbind, res))

## ---- survival power: getPowerSurvival(maxNumberOfEvents = events)$overallReject ----
pg <- expand.grid(hazard_ratio = c(0.5, 0.7, 1.4), events = c(30, 80, 200), alpha = c(0.05, 0.01),
                  sided = c(1, 2), allocation_ratio = c(1, 2), method = c("Schoenfeld", "Freedman"),
                  stringsAsFactors = FALSE)
pg$power <- sapply(seq_len(nrow(pg)), function(i) {
  g <- pg[i, ]
  # overallReject of a fixed design depends on the events only (accrual and subjects do not enter)
  args <- list(alpha = g$alpha, sided = g$sided, hazardRatio = g$hazard_ratio, median2 = 24,
               accrualTime = c(0, 24), maxNumberOfSubjects = 2000, maxNumberOfEvents = g$events,
               allocationRatioPlanned = g$allocation_ratio, typeOfComputation = g$method)
  if (g$sided == 1) args$directionUpper <- g$hazard_ratio > 1
  do.call(getPowerSurvival, args)$overallReject
})
out$survival_power <- pg

## ---- two rates: pwr.2p.test (arcsine) and power.prop.test (normal) ----
pairs <- list(c(0.3, 0.15), c(0.1, 0.05), c(0.5, 0.45), c(0.2, 0.4), c(0.04, 0.12), c(0.6, 0.3))
rg <- expand.grid(pair = seq_along(pairs), alpha = c(0.05, 0.01), power = c(0.8, 0.9))
rg$p1 <- sapply(rg$pair, function(k) pairs[[k]][1]); rg$p2 <- sapply(rg$pair, function(k) pairs[[k]][2])
rg$pair <- NULL
# arcsine: pwr.2p.test(h = ES.h(p1, p2), sig.level = alpha, power = power)$n  (uniroot, default tol)
rg$n_arcsine <- mapply(function(p1, p2, a, pw) pwr.2p.test(h = ES.h(p1, p2), sig.level = a, power = pw)$n,
                       rg$p1, rg$p2, rg$alpha, rg$power)
# the same equation solved to machine precision (pwr's power function, uniroot tol = 1e-13)
rg$n_arcsine_exact <- mapply(function(p1, p2, a, pw) uniroot(function(n)
  pwr.2p.test(h = ES.h(p1, p2), n = n, sig.level = a)$power - pw, c(2 + 1e-10, 1e9), tol = 1e-13)$root,
  rg$p1, rg$p2, rg$alpha, rg$power)
# normal: power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power)$n
rg$n_normal <- mapply(function(p1, p2, a, pw) power.prop.test(p1 = p1, p2 = p2, sig.level = a, power = pw)$n,
                      rg$p1, rg$p2, rg$alpha, rg$power)
rg$n_normal_exact <- mapply(function(p1, p2, a, pw)
  power.prop.test(p1 = p1, p2 = p2, sig.level = a, power = pw, tol = 1e-12)$n, rg$p1, rg$p2, rg$alpha, rg$power)
out$proportions_sample_size <- rg

pp <- expand.grid(pair = seq_along(pairs), alpha = c(0.05, 0.01), n_per_group = c(20, 75, 300))
pp$p1 <- sapply(pp$pair, function(k) pairs[[k]][1]); pp$p2 <- sapply(pp$pair, function(k) pairs[[k]][2])
pp$pair <- NULL
pp$power_arcsine <- mapply(function(p1, p2, a, n) pwr.2p.test(h = ES.h(p1, p2), n = n, sig.level = a)$power,
                           pp$p1, pp$p2, pp$alpha, pp$n_per_group)
pp$power_normal <- mapply(function(p1, p2, a, n) power.prop.test(n = n, p1 = p1, p2 = p2, sig.level = a)$power,
                          pp$p1, pp$p2, pp$alpha, pp$n_per_group)
out$proportions_power <- pp

## ---- non-inferiority of two rates (unwanted outcome, e.g. R1): rpact getSampleSizeRates ----
# pi1 = new technique, pi2 = standard, thetaH0 = margin (H0: pi1 - pi2 >= margin), one-sided,
# Farrington-Manning (normalApproximation = TRUE)
ni_cases <- list(c(0.12, 0.12, 0.10), c(0.20, 0.15, 0.10), c(0.30, 0.32, 0.10), c(0.10, 0.10, 0.05),
                 c(0.25, 0.20, 0.15), c(0.05, 0.08, 0.10), c(0.40, 0.40, 0.12))
ng <- expand.grid(case = seq_along(ni_cases), alpha = c(0.025, 0.05), power = c(0.8, 0.9),
                  allocation_ratio = c(1, 2))
ng$p_standard <- sapply(ng$case, function(k) ni_cases[[k]][1])
ng$p_new <- sapply(ng$case, function(k) ni_cases[[k]][2])
ng$margin <- sapply(ng$case, function(k) ni_cases[[k]][3])
ng$case <- NULL
res <- lapply(seq_len(nrow(ng)), function(i) {
  g <- ng[i, ]
  x <- getSampleSizeRates(groups = 2, pi1 = g$p_new, pi2 = g$p_standard, thetaH0 = g$margin, sided = 1,
                          alpha = g$alpha, beta = 1 - g$power, normalApproximation = TRUE,
                          allocationRatioPlanned = g$allocation_ratio)
  c(n_new = x$nFixed1, n_standard = x$nFixed2, patients = x$nFixed)
})
out$noninferiority_sample_size <- cbind(ng, do.call(rbind, res))

np <- expand.grid(case = seq_along(ni_cases), alpha = c(0.025, 0.05), patients = c(100, 400, 1500),
                  allocation_ratio = c(1, 2))
np$p_standard <- sapply(np$case, function(k) ni_cases[[k]][1])
np$p_new <- sapply(np$case, function(k) ni_cases[[k]][2])
np$margin <- sapply(np$case, function(k) ni_cases[[k]][3])
np$case <- NULL
np$power <- sapply(seq_len(nrow(np)), function(i) {
  g <- np[i, ]
  suppressWarnings(getPowerRates(groups = 2, pi1 = g$p_new, pi2 = g$p_standard, thetaH0 = g$margin, sided = 1,
                                 alpha = g$alpha, maxNumberOfSubjects = g$patients, directionUpper = FALSE,
                                 allocationRatioPlanned = g$allocation_ratio)$overallReject)
})
out$noninferiority_power <- np

dir.create("tests/reference", showWarnings = FALSE)
write_json(out, "tests/reference/planning.json", digits = NA, auto_unbox = TRUE, pretty = FALSE, dataframe = "columns")
cat("wrote tests/reference/planning.json\n")
