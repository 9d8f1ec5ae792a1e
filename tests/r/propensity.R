# Reference values for nelm_stats.propensity and its outcomes: the propensity model (glm), the
# matched sets on tie-heavy data (MatchIt), Cox after matching (robust SE clustered on the matched
# set), weighted Cox (robust=TRUE), weighted Kaplan-Meier, McNemar / conditional odds ratio.
#
#   Rscript tests/r/propensity.R                       # from the repository root
#
# writes tests/reference/propensity.json with the data used (lalonde from MatchIt via
# tests/reference/lalonde.csv; survival::lung; survival::colon), every R call and its output.
#
# Matched sets that do not hinge on rounding. survival::lung (age, ph.ecog) and survival::colon
# (age, nodes, sex) have integer covariates: many patients share a covariate pattern, and many
# controls lie at the same distance on both sides of a treated patient. In floating point those
# equal distances differ in their last bits, and which control MatchIt takes would then depend
# on the machine. So the distance given to MatchIt is computed in exact arithmetic: the glm's
# coefficients times S (S = 1e9 here) rounded to integers, times the integer covariates; every
# such distance is a whole number below 2^53, so sums, differences and ties are exact. The script
# checks that this rounding of the coefficients changes no decision the matcher takes: the
# distinct distances and all distinct gaps between two patients (which a nearest-neighbour
# search compares) keep their order with a margin of 1e-6 on the logit scale, as do the gaps
# compared with the caliper width. Distances are whole numbers also because Debian's MatchIt
# 4.5.1 takes abs() of a double as an integer (the cause of MatchIt issue 163, calipers ignored
# in 4.5.1-4.5.3): on whole-number distances that abs() is exact, so 4.5.1 then gives MatchIt
# 4.7.2's matches, calipers included (checked: the four lalonde settings of
# shared/reference/matchit_4.7.2_lalonde.json, pair for pair, in section 0 below).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
  library(MatchIt)
})
stopifnot(packageVersion("survival") >= "3.5")
out <- list(r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
            matchit_version = as.character(packageVersion("MatchIt")))

## ---- exact-arithmetic distances for MatchIt ------------------------------------------------
# X: integer model matrix (with intercept); beta: glm coefficients. Returns whole-number
# distances (logit scale x S) after checking that rounding the coefficients changes no decision.
exact_distance <- function(X, beta, caliper = NULL, S = 1e9, margin = 1e-6) {
  stopifnot(all(X == round(X)))
  lp <- drop(X %*% beta)
  d <- drop(X %*% round(beta * S))
  stopifnot(max(abs(d)) < 2^52, diff(range(d)) < 2^31 - 1)
  key <- apply(X, 1, paste, collapse = " ")
  u <- !duplicated(key)
  dl <- d[u]; ll <- lp[u]
  o <- order(dl)
  stopifnot(all(diff(ll[o]) > margin))  # distinct patterns, same order, well apart
  D <- abs(outer(dl, dl, "-")); L <- abs(outer(ll, ll, "-"))
  D <- D[upper.tri(D)]; L <- L[upper.tri(L)]
  o <- order(D)
  same <- diff(D[o]) == 0
  stopifnot(all(abs(diff(L[o])[same]) < 1e-9), all(diff(L[o])[!same] > margin))
  if (!is.null(caliper)) {
    width <- caliper * sd(lp)
    stopifnot(all(abs(L - width) > margin))
  }
  d
}
pairs_of <- function(m, rows, names = as.character(seq_along(rows))) {
  # m$match.matrix holds row names of the data; rows: the ids to report, names: the row names
  mm <- m$match.matrix
  p <- data.frame(treated = rep(rownames(mm), ncol(mm)),
                  slot = rep(seq_len(ncol(mm)), each = nrow(mm)), control = as.vector(mm))
  p <- p[!is.na(p$control), ]
  p$treated <- rows[match(p$treated, names)]; p$control <- rows[match(p$control, names)]
  p[order(match(p$treated, rows), p$slot), ]
}

## ---- 0. MatchIt 4.5.1 on whole-number distances gives MatchIt 4.7.2's lalonde matches ------
lal0 <- read.csv("tests/reference/lalonde.csv", stringsAsFactors = FALSE)
ref472 <- fromJSON("tests/reference/matchit_4.7.2_lalonde.json")
f0 <- treat ~ age + educ + race + married + nodegree + re74 + re75
g0 <- glm(f0, family = binomial, data = lal0)
p0 <- round(fitted(g0) * 1e9); l0 <- round(predict(g0) * 1e8)
for (s in list(list("nearest_no_caliper", matchit(f0, data = lal0, distance = p0)),
               list("ratio_2_no_caliper", matchit(f0, data = lal0, distance = p0, ratio = 2)),
               list("caliper_0.2_propensity", matchit(f0, data = lal0, distance = p0, caliper = 0.2)),
               list("caliper_0.2_logit", matchit(f0, data = lal0, distance = l0, caliper = 0.2)))) {
  got <- pairs_of(s[[2]], lal0$id)
  want <- ref472[[s[[1]]]]$pairs
  stopifnot(identical(paste(got$treated, got$slot, got$control),
                      paste(want$treated[order(match(want$treated, lal0$id), want$slot)],
                            want$slot[order(match(want$treated, lal0$id), want$slot)],
                            want$control[order(match(want$treated, lal0$id), want$slot)])))
}

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

# matched sets: MatchIt on the exact-arithmetic logit distance, caliper 0.2 SD (std.caliper)
Xl <- cbind(1, cc$age, cc$ph_ecog)
dl <- exact_distance(Xl, coef(gl), caliper = 0.2)
# (MatchIt 4.5.1 is wrong for k:1 with replacement and k > 1: it lets a control fill two slots of
# one treated patient; those designs are tested against the literal loop in the Python tests,
# on these whole-number distances, exported as lung_distance / colon_distance.)
designs <- list("1:1" = list(ratio = 1, replace = FALSE), "2:1" = list(ratio = 2, replace = FALSE),
                "1:1 with replacement" = list(ratio = 1, replace = TRUE))
out$lung_distance <- list(row = cc$row, distance = dl, caliper_width = 0.2 * sd(dl))
fl <- I(sex == 2) ~ age + ph_ecog
m_rows <- list(); out$pairs <- list()
for (des in names(designs)) {
  a <- designs[[des]]
  mi <- matchit(fl, data = cc, distance = dl, caliper = 0.2, ratio = a$ratio, replace = a$replace)
  out$pairs[[des]] <- pairs_of(mi, cc$row, rownames(cc))
  # one row per patient per matched set (get_matches), with MatchIt's weights
  gm <- if (a$replace) get_matches(mi, data = cc) else match.data(mi, data = cc)
  m_rows[[des]] <- data.frame(design = des, row = gm$row, match_id = as.integer(as.character(gm$subclass)),
                              match_weight = gm$weights)
}
m <- do.call(rbind, m_rows)
out$matches <- m
out$matchit_call <- paste("matchit(I(sex == 2) ~ age + ph_ecog, data = lung_complete, distance = <whole-number logit",
                          "distance>, caliper = 0.2, ratio = 1 | 2 | 1, replace = FALSE | FALSE | TRUE)")
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
mr <- merge(cc, m[m$design == "1:1 with replacement", ], by = "row")
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

## ---- 4. survival::colon: Lev+5FU vs observation, age + nodes + sex (tie-heavy) -------------
co <- survival::colon
co <- co[co$etype == 2 & co$rx %in% c("Obs", "Lev+5FU"), ]
cd <- data.frame(row = seq_len(nrow(co)), time = co$time, status = co$status,
                 lev5fu = as.integer(co$rx == "Lev+5FU"), age = co$age, nodes = co$nodes, sex = co$sex)
out$colon <- cd
ccd <- cd[!is.na(cd$nodes), ]
gc <- glm(lev5fu ~ age + nodes + sex, family = binomial, data = ccd)
out$glm_colon <- list(call = "glm(lev5fu ~ age + nodes + sex, family = binomial, data = colon_deaths)",
                      coef = unname(coef(gc)), fitted = unname(fitted(gc)), row = ccd$row, rownames(ccd))
Xc <- cbind(1, ccd$age, ccd$nodes, ccd$sex)
dc <- exact_distance(Xc, coef(gc), caliper = 0.2)
fc <- lev5fu ~ age + nodes + sex
out$colon_pairs <- list(
  "1:1 caliper 0.2" = pairs_of(matchit(fc, data = ccd, distance = dc, caliper = 0.2), ccd$row, rownames(ccd)),
  "1:1" = pairs_of(matchit(fc, data = ccd, distance = dc), ccd$row, rownames(ccd)),
  "2:1" = pairs_of(matchit(fc, data = ccd, distance = dc, ratio = 2), ccd$row, rownames(ccd)),
  "1:1 caliper 0.2 with replacement" = pairs_of(matchit(fc, data = ccd, distance = dc, caliper = 0.2,
                                                        replace = TRUE), ccd$row, rownames(ccd)))
out$colon_distance <- list(row = ccd$row, distance = dc, caliper_width = 0.2 * sd(dc))
mc <- match.data(matchit(fc, data = ccd, distance = dc, caliper = 0.2), data = ccd)
out$cox_colon_matched <- cox_row(
  coxph(Surv(time, status) ~ lev5fu, data = mc, weights = weights, cluster = subclass),
  "coxph(Surv(time, status) ~ lev5fu, data = matched, weights = weights, cluster = subclass)")

write_json(out, "tests/reference/propensity.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat("wrote tests/reference/propensity.json\n")
