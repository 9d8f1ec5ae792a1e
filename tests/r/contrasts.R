# Reference values for nelm_stats.estimators.contrasts.altman_corrected_p (the p-value of an
# "optimal" cut point corrected for the search; Altman et al. 1994 formula (1), from Lausen &
# Schumacher 1992). maxstat implements the same approximation as pLausen92(b, minprop, maxprop).
# Run from the repository root:  Rscript tests/r/contrasts.R
# Writes tests/reference/contrasts.json. Debian: apt-get install r-cran-maxstat r-cran-jsonlite
suppressPackageStartupMessages({ library(jsonlite); library(maxstat) })
p_min <- 10^seq(-4, log10(0.05), length.out = 15)
eps <- c(0.05, 0.1, 0.2)
grid <- expand.grid(p_min = p_min, epsilon = eps)
grid$p_corrected <- mapply(function(p, e) maxstat:::pLausen92(qnorm(1 - p / 2), minprop = e, maxprop = 1 - e),
                           grid$p_min, grid$epsilon)
out <- list(
  versions = list(R = R.version.string, maxstat = as.character(packageVersion("maxstat"))),
  call = "maxstat:::pLausen92(qnorm(1 - p_min / 2), minprop = epsilon, maxprop = 1 - epsilon)",
  altman = grid)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), "tests/reference/contrasts.json")
