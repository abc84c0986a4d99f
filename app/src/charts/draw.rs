//! Drawing with plotters on a canvas. Sizes are in device pixels (`scale` = device pixel
//! ratio), colours follow the theme.

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use roofline_core::series::{
    BandwidthCurve, BarChart, BenchPoint, CompareBars, MeasuredPoint, MemoryCurve, PromptCurve, SweptMemory,
};

use super::backend::Canvas;
use crate::fmt;

/// Chart colours for the light or dark theme.
#[derive(Clone, Copy)]
pub struct Theme {
    bg: RGBColor,
    fg: RGBColor,
    grid: RGBColor,
    accent: RGBColor,
    second: RGBColor,
    measured: RGBColor,
    limit: RGBColor,
    palette: [RGBColor; 4],
    /// The other sources' measured points, by [`BenchPoint::source_index`].
    sources: [RGBColor; 3],
}

impl Theme {
    /// The colours of the light or dark page.
    pub fn new(dark: bool) -> Theme {
        if dark {
            Theme {
                bg: RGBColor(24, 27, 34),
                fg: RGBColor(232, 234, 240),
                grid: RGBColor(90, 98, 115),
                accent: RGBColor(107, 155, 255),
                second: RGBColor(196, 165, 255),
                measured: RGBColor(251, 191, 36),
                limit: RGBColor(255, 138, 128),
                palette: [
                    RGBColor(107, 155, 255),
                    RGBColor(251, 191, 36),
                    RGBColor(110, 231, 168),
                    RGBColor(196, 165, 255),
                ],
                sources: [RGBColor(110, 231, 168), RGBColor(244, 114, 182), RGBColor(186, 180, 170)],
            }
        } else {
            Theme {
                bg: RGBColor(255, 255, 255),
                fg: RGBColor(22, 24, 29),
                grid: RGBColor(170, 175, 188),
                accent: RGBColor(29, 78, 216),
                second: RGBColor(124, 58, 237),
                measured: RGBColor(217, 119, 6),
                limit: RGBColor(180, 35, 24),
                palette: [RGBColor(29, 78, 216), RGBColor(217, 119, 6), RGBColor(6, 118, 71), RGBColor(124, 58, 237)],
                sources: [RGBColor(6, 118, 71), RGBColor(190, 24, 93), RGBColor(87, 83, 78)],
            }
        }
    }
}

type Area = DrawingArea<Canvas, Shift>;

fn area(canvas: &web_sys::HtmlCanvasElement, theme: &Theme) -> Result<Area, String> {
    let backend = Canvas::new(canvas).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&theme.bg).map_err(|e| e.to_string())?;
    Ok(root)
}

fn font(theme: &Theme, scale: f64, size: f64) -> TextStyle<'static> {
    ("sans-serif", size * scale).into_font().color(&theme.fg)
}

fn px(scale: f64, v: f64) -> u32 {
    (v * scale).round() as u32
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite() && *v > 0.0).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

fn log_pad((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = if hi / lo < 1.5 { (lo / 1.5, hi * 1.5) } else { (lo, hi) };
    (lo / 1.15, hi * 1.15)
}

macro_rules! try_draw {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// A legend entry's mark.
#[derive(Clone, Copy)]
enum Mark {
    Line,
    /// A dot of this radius (px at scale 1).
    Dot(u32),
    /// A square of this half side (px at scale 1), as the other sources' points.
    Square(u32),
}

/// A legend entry: its text and its mark.
struct Key {
    text: String,
    colour: RGBColor,
    mark: Mark,
}

impl Key {
    fn line(text: impl Into<String>, colour: RGBColor) -> Key {
        Key { text: text.into(), colour, mark: Mark::Line }
    }

    fn dot(text: impl Into<String>, colour: RGBColor, dot_radius: u32) -> Key {
        Key { text: text.into(), colour, mark: Mark::Dot(dot_radius) }
    }
}

/// The legend entries of the other sources' points on one chart (`(source index, source)`
/// per visible point): one per source with its count, in the table's order.
fn source_keys(theme: &Theme, points: &[(usize, &str)], what: &str) -> Vec<Key> {
    let mut keys: Vec<(usize, &str, usize)> = Vec::new();
    for &(i, source) in points {
        match keys.iter_mut().find(|k| k.0 == i) {
            Some(k) => k.2 += 1,
            None => keys.push((i, source, 1)),
        }
    }
    keys.sort_by_key(|k| k.0);
    keys.into_iter()
        .map(|(i, source, n)| Key {
            text: format!("{source}{what} ({n})"),
            colour: source_colour(theme, i),
            mark: Mark::Square(4),
        })
        .collect()
}

fn source_colour(theme: &Theme, index: usize) -> RGBColor {
    theme.sources[index % theme.sources.len()]
}

/// `points` (in the chart's coordinates, each with its source index) as squares in their
/// source's colour.
fn squares<'a>(
    theme: &'a Theme,
    scale: f64,
    points: &'a [((f64, f64), usize)],
) -> impl Iterator<Item = DynElement<'static, Canvas, (f64, f64)>> + 'a {
    let half = px(scale, 4.0) as i32;
    points.iter().map(move |&(p, i)| {
        let corners = [(-half, -half), (half, half)];
        (EmptyElement::at(p)
            + Rectangle::new(corners, source_colour(theme, i).filled())
            + Rectangle::new(corners, theme.fg.mix(0.7).stroke_width(1)))
        .into_dyn()
    })
}

/// The legend box in the upper left or lower right corner of the plotting area, laid out
/// as plotters' series labels are (10 px margins, 30 px for the marks, lines 1.25 font
/// sizes apart), but with the text measured by the canvas (see `backend`).
fn legend<CT: CoordTranslate>(
    chart: &ChartContext<'_, Canvas, CT>,
    theme: &Theme,
    scale: f64,
    upper_left: bool,
    keys: &[Key],
) -> Result<(), String> {
    const MARGIN: i32 = 10;
    const MARKS: i32 = 30;
    let area = chart.plotting_area().strip_coord_spec();
    let style = font(theme, scale, 11.0);
    let line_height = 11.0 * scale * 1.25;
    let line_y = |i: usize| (i as f64 * line_height).round() as i32;
    let (mut text_w, mut text_h) = (0, 0);
    for k in keys {
        let (w, h) = try_draw!(area.estimate_text_size(&k.text, &style));
        (text_w, text_h) = (text_w.max(w as i32), h as i32);
    }
    let w = text_w + MARKS + 2 * MARGIN;
    let h = line_y(keys.len().saturating_sub(1)) + text_h + 2 * MARGIN;
    let (area_w, area_h) = area.dim_in_pixel();
    let (x, y) = if upper_left { (5, 5) } else { (area_w as i32 - w - 5, area_h as i32 - h - 5) };
    try_draw!(area.draw(&Rectangle::new([(x, y), (x + w, y + h)], theme.bg.mix(0.85).filled())));
    try_draw!(area.draw(&Rectangle::new([(x, y), (x + w, y + h)], theme.grid)));
    for (i, k) in keys.iter().enumerate() {
        let top = y + MARGIN + line_y(i);
        try_draw!(area.draw(&Text::new(k.text.as_str(), (x + MARGIN + MARKS, top), style.clone())));
        let (mx, my) = (x + MARGIN, top + text_h / 2);
        match k.mark {
            Mark::Dot(r) => try_draw!(area.draw(&Circle::new((mx + 8, my), r, k.colour.filled()))),
            Mark::Square(h) => {
                let h = px(scale, f64::from(h)) as i32;
                let corners = [(mx + 8 - h, my - h), (mx + 8 + h, my + h)];
                try_draw!(area.draw(&Rectangle::new(corners, k.colour.filled())));
                try_draw!(area.draw(&Rectangle::new(corners, theme.fg.mix(0.7).stroke_width(1))));
            }
            Mark::Line => {
                try_draw!(area.draw(&PathElement::new(vec![(mx, my), (mx + 16, my)], k.colour.stroke_width(2))))
            }
        }
    }
    Ok(())
}

/// Generation speed against bandwidth, with the band and the measured points.
pub fn bandwidth(
    canvas: &web_sys::HtmlCanvasElement,
    theme: &Theme,
    scale: f64,
    curve: &BandwidthCurve,
    measured: &[MeasuredPoint],
    bench: &[BenchPoint],
) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let (x0, x1) = bounds(curve.line.points.iter().map(|p| p.0)).ok_or("no curve")?;
    let inside = |p: &(f64, f64)| p.0 >= x0 && p.0 <= x1 && p.1 > 0.0;
    let visible: Vec<(f64, f64)> =
        measured.iter().map(|p| (p.bandwidth_gb_per_s, p.generation_tokens_per_s)).filter(inside).collect();
    let others: Vec<(&BenchPoint, (f64, f64))> =
        bench.iter().map(|p| (p, (p.bandwidth_gb_per_s, p.median.tokens_per_s))).filter(|(_, xy)| inside(xy)).collect();
    let ys = curve.low.points.iter().chain(&curve.high.points).chain(&curve.line.points).chain(&visible);
    let ys = ys.chain(others.iter().map(|(_, xy)| xy)).map(|p| p.1);
    let (y0, y1) = log_pad(bounds(ys).ok_or("no curve")?);
    let mut chart = try_draw!(ChartBuilder::on(&root)
        .margin(px(scale, 10.0))
        .caption(
            match curve.swept {
                SweptMemory::Gpu => "Generation vs GPU memory bandwidth",
                SweptMemory::Host => "Generation vs host memory bandwidth",
            },
            font(theme, scale, 13.0),
        )
        .x_label_area_size(px(scale, 38.0))
        .y_label_area_size(px(scale, 46.0))
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale()));
    try_draw!(chart
        .configure_mesh()
        .x_desc(format!("{} ({})", curve.x.label, curve.x.unit))
        .y_desc(format!("{} ({})", curve.y.label, curve.y.unit))
        .label_style(font(theme, scale, 11.0))
        .axis_desc_style(font(theme, scale, 11.0))
        .light_line_style(theme.grid.mix(0.15))
        .bold_line_style(theme.grid.mix(0.4))
        .axis_style(theme.grid)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| fmt::sig(*v))
        .y_label_formatter(&|v| fmt::sig(*v))
        .draw());
    let (accent, measured_colour, limit) = (theme.accent, theme.measured, theme.limit);
    try_draw!(
        chart.draw_series(LineSeries::new(curve.low.points.clone(), accent.mix(0.35).stroke_width(px(scale, 1.0))))
    );
    try_draw!(
        chart.draw_series(LineSeries::new(curve.high.points.clone(), accent.mix(0.35).stroke_width(px(scale, 1.0))))
    );
    try_draw!(chart.draw_series(LineSeries::new(curve.line.points.clone(), accent.stroke_width(px(scale, 2.0)))));
    let mut keys = vec![Key::line("estimate (band: likely range)", accent)];
    if !visible.is_empty() {
        try_draw!(chart.draw_series(visible.iter().map(|&p| Circle::new(
            p,
            px(scale, 3.0),
            measured_colour.mix(0.8).filled()
        ))));
        keys.push(Key::dot(format!("LocalScore measured ({})", visible.len()), measured_colour, 3));
    }
    let squares: Vec<((f64, f64), usize)> = others.iter().map(|(p, xy)| (*xy, p.source_index)).collect();
    try_draw!(chart.draw_series(self::squares(theme, scale, &squares)));
    let named: Vec<(usize, &str)> = others.iter().map(|(p, _)| (p.source_index, p.median.source.as_str())).collect();
    keys.extend(source_keys(theme, &named, ""));
    try_draw!(chart.draw_series(std::iter::once(Circle::new(curve.current, px(scale, 6.0), limit.filled()))));
    keys.push(Key::dot(format!("this configuration: {}", fmt::tokens_per_s(curve.current.1)), limit, 5));
    legend(&chart, theme, scale, false, &keys)?;
    try_draw!(root.present());
    Ok(())
}

/// Time to first token (left axis) and prompt speed (right axis) against prompt length.
pub fn prompt(
    canvas: &web_sys::HtmlCanvasElement,
    theme: &Theme,
    scale: f64,
    curve: &PromptCurve,
    bench: &[BenchPoint],
) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let (x0, x1) = bounds(curve.ttft.points.iter().map(|p| p.0)).ok_or("no curve")?;
    let ys = curve.ttft.points.iter().map(|p| p.1).chain(std::iter::once(curve.interactive_ttft_s));
    let (y0, y1) = log_pad(bounds(ys).ok_or("no curve")?);
    // The prompt speeds measured on this machine, on the right axis with the curve's.
    let others: Vec<(&BenchPoint, (f64, f64))> = bench
        .iter()
        .map(|p| (p, (f64::from(p.median.prompt_tokens), p.median.tokens_per_s)))
        .filter(|(_, (x, y))| *x >= x0 && *x <= x1 && *y > 0.0)
        .collect();
    let speeds = curve.prompt_speed.points.iter().map(|p| p.1).chain(others.iter().map(|(_, xy)| xy.1));
    let (s0, s1) = log_pad(bounds(speeds).ok_or("no curve")?);
    // Measured points run above the curve into the legend's corner: with them, the right
    // axis keeps its upper part free (its data in the lower 60 % of its log span).
    let s1 = if others.is_empty() { s1 } else { s0 * (s1 / s0).powf(1.0 / 0.6) };
    let mut chart = try_draw!(ChartBuilder::on(&root)
        .margin(px(scale, 10.0))
        .caption("Time to first token vs prompt length", font(theme, scale, 13.0))
        .x_label_area_size(px(scale, 38.0))
        .y_label_area_size(px(scale, 46.0))
        .right_y_label_area_size(px(scale, 46.0))
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale()))
    .set_secondary_coord((x0..x1).log_scale(), (s0..s1).log_scale());
    try_draw!(chart
        .configure_mesh()
        .x_desc(format!("{} ({})", curve.x.label, curve.x.unit))
        .y_desc(format!("{} ({})", curve.ttft_axis.label, curve.ttft_axis.unit))
        .label_style(font(theme, scale, 11.0))
        .axis_desc_style(font(theme, scale, 11.0))
        .light_line_style(theme.grid.mix(0.15))
        .bold_line_style(theme.grid.mix(0.4))
        .axis_style(theme.grid)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| fmt::sig(*v))
        .y_label_formatter(&|v| fmt::sig(*v))
        .draw());
    try_draw!(chart
        .configure_secondary_axes()
        .y_labels(6)
        .y_desc(format!("{} ({})", curve.prompt_speed_axis.label, curve.prompt_speed_axis.unit))
        .label_style(font(theme, scale, 11.0))
        .axis_desc_style(font(theme, scale, 11.0))
        .axis_style(theme.grid)
        .y_label_formatter(&|v| fmt::sig(*v))
        .draw());
    let (accent, second, limit) = (theme.accent, theme.second, theme.limit);
    let t = curve.interactive_ttft_s;
    let dash: Vec<(f64, f64)> = roofline_core::series::log_space(x0, x1, 24).into_iter().map(|x| (x, t)).collect();
    try_draw!(chart.draw_series(
        dash.chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| PathElement::new(c.to_vec(), limit.stroke_width(px(scale, 1.5))))
    ));
    try_draw!(chart.draw_series(LineSeries::new(curve.ttft.points.clone(), accent.stroke_width(px(scale, 2.0)))));
    try_draw!(chart.draw_secondary_series(LineSeries::new(
        curve.prompt_speed.points.clone(),
        second.stroke_width(px(scale, 1.5))
    )));
    try_draw!(chart.draw_series(std::iter::once(Circle::new(curve.current_ttft, px(scale, 5.0), accent.filled()))));
    let squares: Vec<((f64, f64), usize)> = others.iter().map(|(p, xy)| (*xy, p.source_index)).collect();
    try_draw!(chart.draw_secondary_series(self::squares(theme, scale, &squares)));
    let mut keys = vec![
        Key::line(format!("{} s: interactive limit", fmt::sig(t)), limit),
        Key::line("time to first token", accent),
        Key::line("prompt speed (right axis)", second),
    ];
    let named: Vec<(usize, &str)> = others.iter().map(|(p, _)| (p.source_index, p.median.source.as_str())).collect();
    keys.extend(source_keys(theme, &named, " prompt speed"));
    legend(&chart, theme, scale, true, &keys)?;
    try_draw!(root.present());
    Ok(())
}

/// Memory against context per device, with capacities.
pub fn memory(
    canvas: &web_sys::HtmlCanvasElement,
    theme: &Theme,
    scale: f64,
    curve: &MemoryCurve,
) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let lines: Vec<_> = curve.devices.iter().chain(curve.shared_pool.as_ref()).collect();
    let (x0, x1) = bounds(lines.iter().flat_map(|l| l.total.points.iter().map(|p| p.0))).ok_or("no curve")?;
    let y1 = lines
        .iter()
        .flat_map(|l| l.total.points.iter().map(|p| p.1).chain(std::iter::once(l.capacity_gb)))
        .fold(0.0f64, f64::max)
        * 1.1;
    let mut chart = try_draw!(ChartBuilder::on(&root)
        .margin(px(scale, 10.0))
        .caption("Memory vs context length", font(theme, scale, 13.0))
        .x_label_area_size(px(scale, 38.0))
        .y_label_area_size(px(scale, 46.0))
        .build_cartesian_2d((x0..x1.max(x0 * 1.01)).log_scale(), 0.0..y1.max(0.1)));
    try_draw!(chart
        .configure_mesh()
        .x_desc(format!("{} ({})", curve.x.label, curve.x.unit))
        .y_desc(format!("{} ({})", curve.y.label, curve.y.unit))
        .label_style(font(theme, scale, 11.0))
        .axis_desc_style(font(theme, scale, 11.0))
        .light_line_style(theme.grid.mix(0.15))
        .bold_line_style(theme.grid.mix(0.4))
        .axis_style(theme.grid)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| fmt::sig(*v))
        .y_label_formatter(&|v| fmt::sig(*v))
        .draw());
    let mut keys = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let colour = theme.palette[i % theme.palette.len()];
        try_draw!(chart.draw_series(LineSeries::new(line.total.points.clone(), colour.stroke_width(px(scale, 2.0)))));
        keys.push(Key::line(format!("{} (capacity {})", line.device, fmt::gb(line.capacity_gb)), colour));
        let cap = vec![(x0, line.capacity_gb), (x1, line.capacity_gb)];
        try_draw!(chart.draw_series(LineSeries::new(cap, colour.mix(0.55).stroke_width(px(scale, 1.0)))));
    }
    legend(&chart, theme, scale, true, &keys)?;
    try_draw!(root.present());
    Ok(())
}

fn bar_panel(area: &Area, theme: &Theme, scale: f64, chart: &BarChart) -> Result<(), String> {
    let n = chart.bars.len().max(1) as f64;
    let max = chart.bars.iter().map(|b| b.high.max(b.value)).fold(0.0f64, f64::max).max(1e-9) * 1.05;
    let better = if chart.higher_is_better { "higher is better" } else { "lower is better" };
    let mut c = try_draw!(ChartBuilder::on(area)
        .margin(px(scale, 6.0))
        .caption(format!("{} ({}, {better})", chart.title, chart.unit), font(theme, scale, 12.0))
        .x_label_area_size(px(scale, 22.0))
        .build_cartesian_2d(0.0..max, 0.0..n));
    try_draw!(c
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .label_style(font(theme, scale, 10.0))
        .light_line_style(theme.grid.mix(0.1))
        .bold_line_style(theme.grid.mix(0.3))
        .axis_style(theme.grid)
        .x_label_formatter(&|v| fmt::sig(*v))
        .draw());
    for (i, b) in chart.bars.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let colour = theme.palette[b.slot % theme.palette.len()];
        try_draw!(c.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.15), (b.value, y + 0.85)],
            colour.mix(0.85).filled()
        ))));
        try_draw!(c.draw_series(std::iter::once(PathElement::new(
            vec![(b.low, y + 0.5), (b.high, y + 0.5)],
            theme.fg.stroke_width(px(scale, 1.0))
        ))));
        let text = format!("{}. {} — {}", b.slot + 1, b.label, fmt::sig(b.value));
        try_draw!(c.draw_series(std::iter::once(Text::new(text, (max * 0.01, y + 0.62), font(theme, scale, 11.0)))));
    }
    Ok(())
}

/// The compare view's three bar panels.
pub fn bars(canvas: &web_sys::HtmlCanvasElement, theme: &Theme, scale: f64, bars: &CompareBars) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let panels = root.split_evenly((3, 1));
    for (panel, chart) in panels.iter().zip([&bars.generation, &bars.prompt, &bars.time_to_first_token]) {
        bar_panel(panel, theme, scale, chart)?;
    }
    try_draw!(root.present());
    Ok(())
}
