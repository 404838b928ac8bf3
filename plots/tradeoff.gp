# One trade-off curve of a sweep: every sweep point at its mean over seeds, with error bars of
# +-1 standard deviation over the seeds; the Pareto-efficient points (no other point has both less
# carbon and less of the other quantity) joined and marked. Every point is labelled P<point> as in
# the report, the front's labels in its colour; points that coincide carry one label naming them
# all ("P1=P4"), so that none hides under another unmarked.
# ccsim supplies: terminal and output, title_text, xlabel_text, ylabel_text, seeds_text, and
#   $points  x y x_sd y_sd point label on_front   (every sweep point; label "" for the points
#            that coincide with an earlier one)
#   $front   x y point                 (the Pareto-efficient ones, by increasing x)
#   $base    x y                       (the run-now baseline, mean over the same seeds), have_base
# The texts are string variables, quoted by ccsim (ccs_gp_quote): never eval, @macros or system()
# on them.
set title title_text font ',12'
set xlabel xlabel_text
set ylabel ylabel_text
set grid xtics ytics
# the key under the plot, clear of the x label
set bmargin 7
set key at screen 0.5, screen 0.015 center bottom horizontal maxrows 2 box
set offsets graph 0.06, graph 0.06, graph 0.08, graph 0.06
set format y '%.4g'
set format x '%.4g'
# have_base: 0 when the swept parameters change the baseline itself (each point has its own)
if (have_base) {
plot $points using 1:2:3:4 with xyerrorbars lc rgb '#7f7f7f' pt 7 ps 0.7 \
         title sprintf('sweep point (mean; bars +-1 s.d. over %s)', seeds_text), \
     $front using 1:2 with linespoints lw 2 lc rgb '#d6604d' pt 9 ps 1.8 title 'Pareto-efficient', \
     $points using 1:($7 > 0 ? $2 : NaN):(stringcolumn(6)) with labels offset 1.4,0.9 font ',9' tc rgb '#b2182b' notitle, \
     $points using 1:($7 > 0 ? NaN : $2):(stringcolumn(6)) with labels offset 1.4,-0.9 font ',8' tc rgb '#525252' notitle, \
     $base using 1:2 with points pt 5 ps 1.5 lc rgb '#2166ac' title 'run-now baseline'
} else {
plot $points using 1:2:3:4 with xyerrorbars lc rgb '#7f7f7f' pt 7 ps 0.7 \
         title sprintf('sweep point (mean; bars +-1 s.d. over %s)', seeds_text), \
     $front using 1:2 with linespoints lw 2 lc rgb '#d6604d' pt 9 ps 1.8 title 'Pareto-efficient', \
     $points using 1:($7 > 0 ? $2 : NaN):(stringcolumn(6)) with labels offset 1.4,0.9 font ',9' tc rgb '#b2182b' notitle, \
     $points using 1:($7 > 0 ? NaN : $2):(stringcolumn(6)) with labels offset 1.4,-0.9 font ',8' tc rgb '#525252' notitle
}
