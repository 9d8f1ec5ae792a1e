# Randomised differential reference cases: small, awkward clinical series.
#
#   Rscript tests/r/random_cases.R      (from the repository root)
#
# set.seed(20261121) generates 30 small data sets (n 8..120) with the shapes clinicians' series
# produce: integer months (heavy ties), events and censorings at time 0, censorings at event
# times, a group with no event, a group of one patient, everybody censored after a time, unequal
# group sizes, a 3-level grade, missing values in some rows, non-integer weights.  For each case
# the data and R's results are written to tests/reference/random_cases.json (the Python test,
# tests/test_random_cases.py, needs no R).  Every result carries the R call that made it; where R
# errors or warns, the error / warning text is recorded instead of (or beside) the numbers.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(pROC)
  library(jsonlite)
})
stopifnot(packageVersion("survival") >= "3.5")

SHAPES <- c("heavy_ties", "time_zero", "censor_at_event_times", "group_no_events",
            "group_of_one", "censored_after", "unequal_groups", "missing", "strata")

## ---- data generator ------------------------------------------------------------------
# small = TRUE: very small series (n 8..16) with more awkward shapes at once (hunting runs)
gen <- function(i, small = FALSE) {
  n <- if (small) sample(8:16, 1) else if (i <= 10) sample(8:30, 1) else sample(8:120, 1)
  shapes <- SHAPES[runif(length(SHAPES)) < if (small) 0.7 else 0.45]
  if (i %% 5 == 0) shapes <- union(shapes, c("group_no_events", "group_of_one"))
  k <- sample(2:3, 1)
  prob <- if ("unequal_groups" %in% shapes) c(0.7, 0.2, 0.1)[1:k] else rep(1, k)
  grp <- sample(LETTERS[1:k], n, replace = TRUE, prob = prob)
  grp[1:k] <- LETTERS[1:k]                       # every group present
  rate <- c(A = 1 / 30, B = 1 / 18, C = 1 / 45)[grp]
  time <- rexp(n, rate)
  time <- if ("heavy_ties" %in% shapes) 6 * round(time / 6) else round(time)
  status <- rbinom(n, 1, runif(1, 0.35, 0.85))
  if ("time_zero" %in% shapes) {
    z <- sample(n, min(n, sample(1:3, 1)))
    time[z] <- 0
    status[z[1]] <- 1
  }
  time[time == 0 & !("time_zero" %in% shapes)] <- 1
  if ("censor_at_event_times" %in% shapes && any(status == 1) && any(status == 0)) {
    cens <- which(status == 0)
    ev_times <- time[status == 1]
    pick <- cens[runif(length(cens)) < 0.6]
    time[pick] <- ev_times[sample.int(length(ev_times), length(pick), replace = TRUE)]
  }
  if ("censored_after" %in% shapes) {
    cut <- as.numeric(quantile(time, 0.6, type = 1))
    status[time > cut] <- 0
  }
  if ("group_no_events" %in% shapes) status[grp == LETTERS[k]] <- 0
  if ("group_of_one" %in% shapes) grp[n] <- "Z"
  if (sum(status) == 0) status[which.max(time == min(time))] <- 1   # at least one event
  grade <- sample(c("G1", "G2", "G3"), n, replace = TRUE, prob = c(0.4, 0.4, 0.2))
  grade[1:3] <- c("G1", "G2", "G3")
  x <- round(rnorm(n, 60, 10) + 4 * (grade == "G3"), 0)
  clus <- sample(seq_len(max(2, ceiling(n / 3))), n, replace = TRUE)
  w <- round(runif(n, 0.3, 3), 3)
  cause <- sample(1:2, n, replace = TRUE, prob = c(0.6, 0.4))
  etype <- status * cause
  strat <- sample(c("s1", "s2"), n, replace = TRUE)
  g2 <- sample(c("no", "yes"), n, replace = TRUE, prob = c(runif(1, 0.3, 0.7), 1))
  resp <- rbinom(n, 1, ifelse(g2 == "yes", runif(1, 0.05, 0.6), runif(1, 0.05, 0.6))) == 1
  truth <- rbinom(n, 1, 0.4) == 1
  truth[1:2] <- c(TRUE, FALSE)
  score <- pmin(5, pmax(1, round(2.5 + truth * runif(1, 0, 1.5) + rnorm(n, 0, 1.2))))
  d <- data.frame(time = time, status = status, grp = grp, grade = grade, x = x, clus = clus,
                  w = w, etype = etype, strat = strat, g2 = g2, resp = resp, score = score,
                  truth = truth, stringsAsFactors = FALSE)
  if ("missing" %in% shapes) {
    d$x[sample(n, max(1, n %/% 10))] <- NA
    d$time[sample(n, 1)] <- NA
    d$grp[sample(n, 1)] <- NA
    d$grade[sample(n, 1)] <- NA
    d$score[sample(n, 1)] <- NA
    d$resp[sample(n, 1)] <- NA
  }
  list(data = d, shapes = shapes)
}

## ---- capturing R's errors and warnings -----------------------------------------------
capture <- function(expr) {
  warn <- character(0)
  val <- withCallingHandlers(
    tryCatch(expr, error = function(e) structure(list(msg = conditionMessage(e)), class = "rerr")),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  if (inherits(val, "rerr")) return(list(value = NULL, error = val$msg, warnings = warn))
  list(value = val, error = NULL, warnings = warn)
}

# +-Inf (an odds ratio or CI limit of a table with an empty cell, pROC's end thresholds) as text
# "Inf" / "-Inf" so that JSON keeps them apart from NA (null); finite values to 17 digits.
enc <- function(v) {
  v <- as.numeric(v)
  if (!any(is.infinite(v))) return(v)
  ifelse(is.na(v), NA, ifelse(is.infinite(v), ifelse(v > 0, "Inf", "-Inf"), sprintf("%.17g", v)))
}

# group labels of a summary.survfit; a grouping with a single level among the complete rows
# gives survfit no strata: the label is then that level (what `one` holds)
labels_of <- function(strata, n, one) if (is.null(strata)) rep(one, n) else
  sub("^[^=]*=", "", as.character(strata))

km_results <- function(d, conf.type, weighted = FALSE) {
  call <- sprintf("survfit(Surv(time, status) ~ grp, data = d%s, conf.type = \"%s\")",
                  if (weighted) ", weights = w" else "", conf.type)
  r <- capture(if (weighted) survfit(Surv(time, status) ~ grp, data = d, weights = w,
                                     conf.type = conf.type) else
                 survfit(Surv(time, status) ~ grp, data = d, conf.type = conf.type))
  out <- list(call = call, conf_type = conf.type, weighted = weighted,
              error = r$error, warnings = r$warnings)
  if (is.null(r$value)) return(out)
  fit <- r$value
  one <- sort(unique(d$grp[!is.na(d$grp) & !is.na(d$time)]))[1]
  s <- summary(fit, censored = TRUE)
  out$curve <- list(group = labels_of(s$strata, length(s$time), one), time = s$time,
                    n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
                    survival = s$surv, std_err = s$std.err, ci_lower = s$lower, ci_upper = s$upper)
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  out$medians <- list(group = if (is.null(fit$strata)) one else sub("^[^=]*=", "", rownames(tab)),
                      records = unname(tab[, "records"]), events = unname(tab[, "events"]),
                      median = unname(tab[, "median"]),
                      ci_lower = unname(tab[, "0.95LCL"]), ci_upper = unname(tab[, "0.95UCL"]))
  times <- c(0, 3, 6, 12, 24, 36, 60, 120)
  a <- summary(fit, times = times, extend = TRUE)
  out$at_times <- times
  out$summary_call <- "summary(fit, times = c(0, 3, 6, 12, 24, 36, 60, 120), extend = TRUE)"
  out$at <- list(group = labels_of(a$strata, length(a$time), one), time = a$time,
                 n_risk = a$n.risk, n_event = a$n.event, survival = a$surv,
                 std_err = a$std.err, ci_lower = a$lower, ci_upper = a$upper)
  out
}

sd_results <- function(d, rho, strata) {
  call <- sprintf("survdiff(Surv(time, status) ~ grp%s, data = d, rho = %s)",
                  if (strata) " + strata(strat)" else "", rho)
  r <- capture(if (strata) survdiff(Surv(time, status) ~ grp + strata(strat), data = d, rho = rho)
               else survdiff(Surv(time, status) ~ grp, data = d, rho = rho))
  out <- list(call = call, rho = rho, strata = strata, error = r$error, warnings = r$warnings)
  if (is.null(r$value)) return(out)
  f <- r$value
  o <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  e <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  c(out, list(group = sub("^[^=]*=", "", names(f$n)), n = as.numeric(f$n),
              observed = as.numeric(o), expected = as.numeric(e),
              statistic = f$chisq, df = sum(e > 0) - 1, p_value = f$pvalue))
}

cox_results <- function(d, kind) {
  call <- switch(kind,
    plain = "coxph(Surv(time, status) ~ x + factor(grade), data = d)",
    cluster = "coxph(Surv(time, status) ~ x + factor(grade), data = d, cluster = clus)",
    weights = "coxph(Surv(time, status) ~ x + factor(grade), data = d, weights = w, robust = TRUE)")
  r <- capture(switch(kind,
    plain = coxph(Surv(time, status) ~ x + factor(grade), data = d),
    cluster = coxph(Surv(time, status) ~ x + factor(grade), data = d, cluster = clus),
    weights = coxph(Surv(time, status) ~ x + factor(grade), data = d, weights = w, robust = TRUE)))
  out <- list(call = call, kind = kind, error = r$error, warnings = r$warnings)
  if (is.null(r$value)) return(out)
  f <- r$value
  s <- summary(f)
  out <- c(out, list(
    names = names(coef(f)), coef = unname(coef(f)), se = unname(sqrt(diag(f$var))),
    hr = unname(s$conf.int[, 1]), ci_lower = unname(s$conf.int[, 3]),
    ci_upper = unname(s$conf.int[, 4]), p = unname(s$coefficients[, ncol(s$coefficients)]),
    n = f$n, nevent = f$nevent, n_excluded = length(f$na.action),
    loglik = unname(f$loglik), lr = 2 * diff(f$loglik),
    concordance = unname(f$concordance["concordance"])))
  z <- capture(cox.zph(f))
  out$zph_call <- "cox.zph(fit)"
  out$zph_error <- z$error
  out$zph_warnings <- z$warnings
  if (!is.null(z$value)) {
    tb <- z$value$table
    out$zph <- list(term = rownames(tb), chisq = unname(tb[, "chisq"]),
                    df = unname(tb[, "df"]), p = unname(tb[, "p"]))
  }
  out
}

# log(-log) CI from cuminc's est and var (cmprsk prints none):
#   est ^ exp(+-qnorm(0.975) * sqrt(var) / (est * log(est)))
# At est = 1 with var > 0 the interval is undefined (log(-log 1)); R's pow(1, NaN) = 1 would
# print [1, 1] there, so it is set to NA as survfit leaves its log / log-log CI at S = 0.
ci_loglog <- function(est, var) {
  z <- qnorm(0.975); se <- sqrt(var)
  lo <- est^exp(-z * se / (est * log(est))); hi <- est^exp(z * se / (est * log(est)))
  lo[est == 0] <- 0; hi[est == 0] <- 0
  undefined <- est == 1 & var > 0
  lo[undefined] <- NA; hi[undefined] <- NA
  list(lower = lo, upper = hi)
}

cuminc_results <- function(d) {
  call <- "cuminc(d$time, d$etype, group = d$grp)  # rows with NA time or grp dropped first"
  dd <- d[!is.na(d$time) & !is.na(d$grp), ]
  r <- capture(cuminc(dd$time, dd$etype, group = dd$grp))
  out <- list(call = call, error = r$error, warnings = r$warnings)
  if (is.null(r$value)) return(out)
  f <- r$value
  curves <- f[names(f) != "Tests"]
  out$curves <- lapply(curves, function(cv) c(list(time = cv$time, est = cv$est, var = cv$var),
                                               ci_loglog(cv$est, cv$var)))
  if (!is.null(f$Tests)) {
    t <- f$Tests
    out$tests <- list(cause = rownames(t), stat = unname(t[, "stat"]),
                      pv = unname(t[, "pv"]), df = unname(t[, "df"]))
  }
  out
}

fisher_results <- function(d) {
  dd <- d[!is.na(d$resp) & !is.na(d$g2), ]
  tab <- table(factor(dd$g2, levels = c("no", "yes")), factor(dd$resp, levels = c(TRUE, FALSE)))
  call <- paste("tab <- table(factor(g2, levels = c('no', 'yes')), factor(resp, levels = c(TRUE, FALSE)));",
                "fisher.test(tab[2:1, ]); binom.test(tab[i, 1], sum(tab[i, ]))")
  r <- capture(fisher.test(tab[2:1, ]))
  out <- list(call = call, table = unclass(tab), error = r$error, warnings = r$warnings)
  if (!is.null(r$value)) {
    out$p_value <- r$value$p.value
    out$odds_ratio <- enc(unname(r$value$estimate))
    out$or_ci <- enc(r$value$conf.int)
  }
  out$binom <- lapply(1:2, function(i) {
    if (sum(tab[i, ]) == 0) return(NULL)
    as.numeric(binom.test(tab[i, 1], sum(tab[i, ]))$conf.int)
  })
  out
}

roc_results <- function(d) {
  dd <- d[!is.na(d$score) & !is.na(d$truth), ]
  call <- paste("r <- roc(factor(truth, levels = c(FALSE, TRUE)), score, levels = c('FALSE', 'TRUE'),",
                "quiet = TRUE); ci.auc(r, method = 'delong'); coords(r, 'all')")
  r <- capture(roc(factor(dd$truth, levels = c(FALSE, TRUE)), dd$score,
                   levels = c("FALSE", "TRUE"), quiet = TRUE))
  out <- list(call = call, error = r$error, warnings = r$warnings)
  if (is.null(r$value)) return(out)
  ro <- r$value
  ci_r <- capture(ci.auc(ro, method = "delong"))   # warns at AUC = 1 ("always 1-1")
  ci <- ci_r$value
  out$ci_warnings <- ci_r$warnings
  cr <- coords(ro, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  c(out, list(auc = as.numeric(ro$auc), ci = as.numeric(ci)[c(1, 3)], direction = ro$direction,
              threshold = enc(cr$threshold), sensitivity = as.numeric(cr$sensitivity),
              specificity = as.numeric(cr$specificity)))
}

## ---- cases -------------------------------------------------------------------------------
# Optional arguments (for hunting discrepancies on more cases; the committed JSON uses none):
#   Rscript tests/r/random_cases.R [n_cases = 30] [seed = 20261121] [output name = random_cases] [small]
args <- commandArgs(trailingOnly = TRUE)
small_mode <- length(args) >= 4 && args[4] == "small"
n_cases <- if (length(args) >= 1) as.integer(args[1]) else 30L
seed <- if (length(args) >= 2) as.integer(args[2]) else 20261121L
out_name <- if (length(args) >= 3) args[3] else "random_cases"
make_case <- function(id, g) {
  d <- g$data
  has_strata <- "strata" %in% g$shapes
  list(
    id = id, n = nrow(d), shapes = g$shapes,
    data = d,
    km = list(km_results(d, "log"), km_results(d, "log-log"), km_results(d, "plain"),
              km_results(d, "log", weighted = TRUE)),
    survdiff = c(list(sd_results(d, 0, FALSE), sd_results(d, 1, FALSE)),
                 if (has_strata) list(sd_results(d, 0, TRUE), sd_results(d, 1, TRUE)) else list()),
    cox = list(cox_results(d, "plain"), cox_results(d, "cluster"), cox_results(d, "weights")),
    cuminc = cuminc_results(d),
    fisher = fisher_results(d),
    roc = roc_results(d)
  )
}

set.seed(seed)
cases <- list()
for (i in seq_len(n_cases)) cases[[i]] <- make_case(sprintf("case%02d", i), gen(i, small_mode))

# Cases found by running this script on more data sets (Rscript tests/r/random_cases.R 400 777
# and 300 4242) where nelm_stats and R disagreed or R gives no usable result; kept as
# regression cases: (seed, index) -> the index-th data set of that seed (fits draw no random
# numbers, so gen() alone reproduces it).
#   777/7    stratified survdiff with events only where one group is at risk (df 0);
#            Gray's test with a singular variance (cmprsk: stat -1)
#   777/79   2x2 table without any event (fisher.test: p 1, OR 0)
#   777/166  a single case: pROC's DeLong CI is NaN
#   777/188  4 events at 2 distinct times: cox.zph's information matrix is singular
#   777/228  2x2 table with an empty group
#   4242/167 one group left after missing values (survfit without strata; cuminc one group)
# and from `Rscript tests/r/random_cases.R 500 31337 random_cases_many4 small` (third value 1):
#   31337/492 stratified survdiff whose variance is singular (R: solve() error)
#   31337/370 Gray's test with a group never at risk at a cause-2 event (cmprsk: stat -1)
#   31337/198 fisher.test's conditional MLE: R's uniroot (tol 1.2e-4) stops elsewhere
#   31337/21  no case left after missing values (pROC: "No case observation.")
extra <- list(c(777, 7, 0), c(777, 79, 0), c(777, 166, 0), c(777, 188, 0), c(777, 228, 0),
              c(4242, 167, 0), c(31337, 492, 1), c(31337, 370, 1), c(31337, 198, 1),
              c(31337, 21, 1))
if (out_name == "random_cases") for (e in extra) {
  set.seed(e[1])
  for (i in seq_len(e[2])) g <- gen(i, small = e[3] == 1)
  cases[[length(cases) + 1]] <- make_case(sprintf("seed%d_case%03d", e[1], e[2]), g)
}

out <- list(
  generated_by = "tests/r/random_cases.R", seed = seed,
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  cmprsk = as.character(packageVersion("cmprsk")),
                  pROC = as.character(packageVersion("pROC"))),
  cases = cases)
txt <- toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, null = "null",
              dataframe = "columns", pretty = FALSE)
writeLines(txt, file.path("tests/reference", paste0(out_name, ".json")))
n_err <- sum(sapply(cases, function(cc) sum(sapply(cc$cox, function(m) !is.null(m$error) || length(m$warnings) > 0))))
cat("wrote", paste0("tests/reference/", out_name, ".json:"), length(cases), "cases;", n_err,
    "coxph fits with an R error or warning\n")
