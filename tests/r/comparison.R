# Reference values for nelm_stats.describe / proportions / accuracy.
# Run from the repository root:  Rscript tests/r/comparison.R
# Writes tests/reference/comparison.json (data used are exported too, so the Python
# tests never need R).  R >= 4, pROC 1.18, epiR 2.x, geepack.
suppressPackageStartupMessages({
  library(jsonlite); library(pROC); library(epiR); library(geepack)
})
data(aSAH, package = "pROC")
out <- list()
num <- function(x) unname(as.numeric(x))
ftest <- function(ft) list(p_value = num(ft$p.value),
                           odds_ratio = if (is.null(ft$estimate)) NA else num(ft$estimate),
                           ci = if (is.null(ft$conf.int)) c(NA, NA) else num(ft$conf.int))
htest <- function(h) list(statistic = num(h$statistic),
                          df = if (is.null(h$parameter)) NA else num(h$parameter),
                          p_value = num(h$p.value))

## ---- data exported ----
out$asah <- list(outcome = as.character(aSAH$outcome), gender = as.character(aSAH$gender),
                 age = aSAH$age, wfns = as.character(aSAH$wfns), s100b = aSAH$s100b,
                 ndka = aSAH$ndka, gos6 = as.character(aSAH$gos6))
out$mtcars <- list(am = mtcars$am, vs = mtcars$vs, mpg = mtcars$mpg, cyl = mtcars$cyl,
                   gear = mtcars$gear)
out$plantgrowth <- list(weight = PlantGrowth$weight, group = as.character(PlantGrowth$group))

poor <- aSAH$outcome == "Poor"
## ---- 2x2: Poor outcome by gender (groups Male, Female) ----
tab <- table(factor(aSAH$gender, levels = c("Male", "Female")), factor(poor, levels = c(TRUE, FALSE)))
out$gender_poor <- list(
  table = unclass(tab),
  fisher = ftest(fisher.test(tab)),                         # fisher.test(tab)
  # OR of Female (second group) vs Male (reference): reference group in the second row
  fisher_second_vs_first = ftest(fisher.test(tab[2:1, ])),
  chisq_correct = htest(chisq.test(tab)),                   # chisq.test(tab)  (correct = TRUE)
  chisq_nocorrect = htest(chisq.test(tab, correct = FALSE)),
  expected = unclass(chisq.test(tab)$expected),
  prop_test = c(htest(prop.test(tab[, 1], rowSums(tab))), list(ci = num(prop.test(tab[, 1], rowSums(tab))$conf.int))),
  # Wilson score interval per group: prop.test(x, n, correct = FALSE)$conf.int
  wilson = lapply(1:2, function(i) num(prop.test(tab[i, 1], sum(tab[i, ]), correct = FALSE)$conf.int)),
  wilson_cc = lapply(1:2, function(i) num(prop.test(tab[i, 1], sum(tab[i, ]))$conf.int)),
  exact = lapply(1:2, function(i) num(binom.test(tab[i, 1], sum(tab[i, ]))$conf.int))
)
# Newcombe (1998, method 10) hybrid score interval for p2 - p1 (Female - Male),
# built from the Wilson limits prop.test(correct = FALSE) prints:
p <- tab[, 1] / rowSums(tab); w <- out$gender_poor$wilson
rd <- p[2] - p[1]
out$gender_poor$risk_difference <- list(
  estimate = num(rd),
  newcombe = c(num(rd - sqrt((p[2] - w[[2]][1])^2 + (w[[1]][2] - p[1])^2)),
               num(rd + sqrt((w[[2]][2] - p[2])^2 + (p[1] - w[[1]][1])^2))))

## ---- small 2x2 (Fisher chosen): vs by am in mtcars ----
tab2 <- table(factor(mtcars$am, levels = c(0, 1)), factor(mtcars$vs, levels = c(1, 0)))
out$mtcars_vs_am <- list(table = unclass(tab2), fisher = ftest(fisher.test(tab2)),
                         expected = unclass(suppressWarnings(chisq.test(tab2))$expected),
                         chisq_correct = htest(suppressWarnings(chisq.test(tab2))))

## ---- r x c ----
tab3 <- table(aSAH$wfns, aSAH$outcome)              # 5 x 2, small expected counts
out$wfns_outcome <- list(table = unclass(tab3), fisher = ftest(fisher.test(tab3)),
                         chisq = htest(suppressWarnings(chisq.test(tab3))))
tab4 <- table(aSAH$gender, aSAH$gos6)               # 2 x 5 (k x m outcome)
out$gender_gos6 <- list(table = unclass(tab4), fisher = ftest(fisher.test(tab4)),
                        chisq = htest(suppressWarnings(chisq.test(tab4))))
tab5 <- table(mtcars$cyl, mtcars$gear)              # 3 x 3
out$cyl_gear <- list(table = unclass(tab5), fisher = ftest(fisher.test(tab5)),
                     chisq = htest(suppressWarnings(chisq.test(tab5))))

## ---- McNemar: paired vs (before) and am (after) on the same cars ----
mt <- table(factor(mtcars$vs, levels = c(1, 0)), factor(mtcars$am, levels = c(1, 0)))
out$mcnemar <- list(table = unclass(mt), correct = htest(mcnemar.test(mt)),
                    nocorrect = htest(mcnemar.test(mt, correct = FALSE)))

## ---- continuous tests ----
out$wilcox_age_gender <- htest(wilcox.test(age ~ gender, data = aSAH))       # ties: normal approx + cc
sub <- aSAH[1:30, ]; stopifnot(!any(duplicated(sub$ndka)))
out$wilcox_exact <- c(htest(wilcox.test(ndka ~ gender, data = sub)), list(ndka = sub$ndka, gender = as.character(sub$gender)))
out$kruskal_plant <- htest(kruskal.test(weight ~ group, data = PlantGrowth))
out$kruskal_age_wfns <- htest(kruskal.test(age ~ wfns, data = aSAH))
out$t_age_gender <- htest(t.test(age ~ gender, data = aSAH))                 # Welch
out$anova_plant <- {a <- summary(aov(weight ~ group, data = PlantGrowth))[[1]]
                    list(statistic = a[1, "F value"], df = c(a[1, "Df"], a[2, "Df"]), p_value = a[1, "Pr(>F)"])}
out$quantile_age <- list(male = num(quantile(aSAH$age[aSAH$gender == "Male"], c(.25, .5, .75))),
                         female = num(quantile(aSAH$age[aSAH$gender == "Female"], c(.25, .5, .75))),
                         sd_male = sd(aSAH$age[aSAH$gender == "Male"]))

## ---- diagnostic accuracy: test wfns > 2 vs truth Poor outcome ----
test_pos <- as.integer(as.character(aSAH$wfns)) > 2
tt <- table(factor(test_pos, levels = c(TRUE, FALSE)), factor(poor, levels = c(TRUE, FALSE)))
et <- epi.tests(tt, method = "exact", conf.level = 0.95)   # epiR 2.0.x: $detail data frame
det <- et$detail
getm <- function(s) num(det[det$statistic == s, c("est", "lower", "upper")])
a <- tt[1, 1]; b <- tt[1, 2]; cc <- tt[2, 1]; d <- tt[2, 2]
bt <- function(x, n) { b <- binom.test(x, n); c(x / n, num(b$conf.int)) }
out$accuracy <- list(table = unclass(tt),
  sensitivity = bt(a, a + cc), specificity = bt(d, b + d), ppv = bt(a, a + b),
  npv = bt(d, cc + d), accuracy = bt(a + d, a + b + cc + d),
  epi_se = getm("se"), epi_sp = getm("sp"), epi_ppv = getm("pv.pos"), epi_npv = getm("pv.neg"),
  lr_positive = getm("lr.pos"), lr_negative = getm("lr.neg"))

## ---- cluster-robust proportions (GEE, geepack) on an unbalanced subset of ohio ----
data(ohio, package = "geepack")
oh <- ohio[!(ohio$id %% 3 == 0 & ohio$age == 1) & !(ohio$id %% 5 == 0 & ohio$age == -2), ]
oh <- oh[order(oh$id), ]
out$ohio <- list(resp = oh$resp, id = oh$id, smoke = oh$smoke, age = oh$age)
gee_rate <- function(d, corstr) {
  f <- geeglm(resp ~ 1, id = id, data = d, family = binomial, corstr = corstr)
  b <- coef(f)[1]; se <- sqrt(vcov(f)[1, 1])
  c(plogis(b), plogis(b - qnorm(.975) * se), plogis(b + qnorm(.975) * se), se)
}
out$gee_rates_independence <- lapply(c(0, 1), function(s) gee_rate(oh[oh$smoke == s, ], "independence"))
out$gee_rates_exchangeable <- lapply(c(0, 1), function(s) gee_rate(oh[oh$smoke == s, ], "exchangeable"))
for (cs in c("independence", "exchangeable")) {
  f <- geeglm(resp ~ smoke, id = id, data = oh, family = binomial, corstr = cs)
  b <- coef(f)[2]; se <- sqrt(vcov(f)[2, 2])
  out[[paste0("gee_or_", cs)]] <- c(exp(b), exp(b - qnorm(.975) * se), exp(b + qnorm(.975) * se), 2 * pnorm(-abs(b / se)))
}

# per-lesion accuracy with clustering: test = smoke, truth = resp, cluster = id;
# each proportion from geeglm(hit ~ 1, id = id, family = binomial, corstr = "independence")
acc_gee <- function(hit, sub) { d <- data.frame(hit = as.integer(hit[sub]), id = oh$id[sub])
  f <- geeglm(hit ~ 1, id = id, data = d, family = binomial, corstr = "independence")
  b <- coef(f)[1]; se <- sqrt(vcov(f)[1, 1])
  c(plogis(b), plogis(b - qnorm(.975) * se), plogis(b + qnorm(.975) * se)) }
ts <- oh$smoke == 1; tr <- oh$resp == 1
out$clustered_accuracy <- list(sensitivity = acc_gee(ts, tr), specificity = acc_gee(!ts, !tr),
  ppv = acc_gee(tr, ts), npv = acc_gee(!tr, !ts), accuracy = acc_gee(ts == tr, rep(TRUE, nrow(oh))))

## ---- ROC (pROC): outcome Poor vs Good ----
r1 <- roc(aSAH$outcome, aSAH$s100b, quiet = TRUE)    # levels Good (controls), Poor (cases); direction auto
r2 <- roc(aSAH$outcome, aSAH$ndka, quiet = TRUE)
r3 <- roc(aSAH$outcome, -aSAH$s100b, quiet = TRUE)   # auto direction ">"
rocout <- function(r) { ci <- ci.auc(r, method = "delong")
  cr <- coords(r, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  list(auc = num(r$auc), ci = num(ci)[c(1, 3)], direction = r$direction,
       threshold = num(cr$threshold), sensitivity = num(cr$sensitivity), specificity = num(cr$specificity)) }
out$roc_s100b <- rocout(r1); out$roc_ndka <- rocout(r2); out$roc_neg_s100b <- rocout(r3)
rt <- roc.test(r1, r2, method = "delong", paired = TRUE)
out$roc_test <- list(statistic = num(rt$statistic), p_value = num(rt$p.value))

## ---- learning curve: first 30 patients vs later, Poor outcome ----
early <- seq_len(nrow(aSAH)) <= 30
lt <- table(factor(early, levels = c(TRUE, FALSE)), factor(poor, levels = c(TRUE, FALSE)))
g <- glm(poor ~ early, family = binomial)
out$learning <- list(fisher = ftest(fisher.test(lt)),
  wald = c(exp(coef(g)[2]), exp(confint.default(g)[2, ]), summary(g)$coefficients[2, 4]))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = FALSE), "tests/reference/comparison.json")
cat("wrote tests/reference/comparison.json\n")
