package io.spendstream.local.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG of stacked time-series panels drawn with java.awt (headless: the caller sets java.awt.headless before
 * any AWT use), no charting library: per panel
 * a title, axis labels, grid, one line per series (gaps where a value is NaN), dashed reference lines
 * and a legend, plus an optional dashed vertical marker shared by all panels (e.g. "load ends").
 */
final class PipelineChart {
    static final Color BLUE = new Color(31, 119, 180);
    static final Color ORANGE = new Color(255, 127, 14);
    static final Color GREEN = new Color(44, 160, 44);
    static final Color RED = new Color(214, 39, 40);
    static final Color PURPLE = new Color(148, 103, 189);
    static final Color GREY = new Color(120, 120, 120);

    record Series(String label, double[] values, Color color, boolean dashed) {}

    record Panel(String title, String yLabel, List<Series> series) {}

    private final String title;
    private final String subtitle;
    private final double[] x;
    private final String xLabel;
    private final List<Panel> panels = new ArrayList<>();
    private double markerX = Double.NaN;
    private String markerLabel;

    PipelineChart(String title, String subtitle, double[] x, String xLabel) {
        this.title = title;
        this.subtitle = subtitle;
        this.x = x;
        this.xLabel = xLabel;
    }

    PipelineChart panel(Panel p) {
        panels.add(p);
        return this;
    }

    PipelineChart marker(double atX, String label) {
        this.markerX = atX;
        this.markerLabel = label;
        return this;
    }

    /** A constant reference line as a series (drawn dashed). */
    static Series reference(String label, double value, int n, Color color) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, value);
        return new Series(label, v, color, true);
    }

    void write(Path file, int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            centered(g, title, width / 2, 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            centered(g, subtitle, width / 2, 46);

            int top = 60;
            int bottomAxis = 40; // room for the shared x-axis label under the last panel
            int panelHeight = (height - top - bottomAxis) / Math.max(1, panels.size());
            for (int i = 0; i < panels.size(); i++) {
                boolean last = i == panels.size() - 1;
                drawPanel(g, panels.get(i), 20, top + i * panelHeight, width - 40, panelHeight - 10, last);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            centered(g, xLabel, width / 2, height - 12);
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private void drawPanel(Graphics2D g, Panel p, int px, int py, int pw, int ph, boolean showXTicks) {
        int left = px + 80;
        int right = px + pw - 10;
        int top = py + 26;
        int bottom = py + ph - 22;
        double xMin = x.length == 0 ? 0 : Math.min(0, x[0]);
        double xMax = x.length == 0 ? 1 : Math.max(x[x.length - 1], xMin + 1);
        double yMax = 0;
        for (Series s : p.series()) {
            for (double v : s.values()) {
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        double[] yTicks = ticks(0, yMax <= 0 ? 1 : yMax * 1.08);
        double yTop = yTicks[yTicks.length - 1];

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(p.title(), left, py + 16);

        // grid and y ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (double t : yTicks) {
            int y = yPix(t, 0, yTop, top, bottom);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String s = tickLabel(t);
            g.drawString(s, left - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        double[] xTicks = ticks(xMin, xMax);
        for (double t : xTicks) {
            if (t < xMin || t > xMax) {
                continue;
            }
            int xp = xPix(t, xMin, xMax, left, right);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(xp, top, xp, bottom);
            g.setColor(Color.DARK_GRAY);
            String s = tickLabel(t);
            g.drawString(s, xp - fm.stringWidth(s) / 2, bottom + fm.getAscent() + 3);
        }
        // axes
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        // y label, rotated
        Graphics2D r = (Graphics2D) g.create();
        r.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        r.rotate(-Math.PI / 2);
        FontMetrics rfm = r.getFontMetrics();
        r.drawString(p.yLabel(), -((top + bottom) / 2 + rfm.stringWidth(p.yLabel()) / 2), px + 14);
        r.dispose();

        // marker
        if (!Double.isNaN(markerX) && markerX >= xMin && markerX <= xMax) {
            int xp = xPix(markerX, xMin, xMax, left, right);
            Stroke old = g.getStroke();
            g.setColor(GREY);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 4f}, 0f));
            g.drawLine(xp, top, xp, bottom);
            g.setStroke(old);
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 11));
            g.drawString(markerLabel, xp - g.getFontMetrics().stringWidth(markerLabel) - 4, bottom - 6);
        }

        // series
        Graphics2D clip = (Graphics2D) g.create();
        clip.clipRect(left, top - 1, right - left + 1, bottom - top + 2);
        for (Series s : p.series()) {
            clip.setColor(s.color());
            clip.setStroke(s.dashed()
                    ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{8f, 6f}, 0f)
                    : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            int n = Math.min(x.length, s.values().length);
            for (int i = 0; i < n; i++) {
                double v = s.values()[i];
                if (Double.isNaN(v)) {
                    pen = false;
                    continue;
                }
                double xp = xPix(x[i], xMin, xMax, left, right);
                double yp = yPix(v, 0, yTop, top, bottom);
                if (pen) {
                    path.lineTo(xp, yp);
                } else {
                    path.moveTo(xp, yp);
                    pen = true;
                }
                if (!s.dashed() && (i == 0 || Double.isNaN(s.values()[i - 1]))
                        && (i + 1 >= n || Double.isNaN(s.values()[i + 1]))) {
                    clip.fillOval((int) xp - 2, (int) yp - 2, 5, 5); // an isolated point
                }
            }
            clip.draw(path);
        }
        clip.dispose();

        // legend: one row, right-aligned on the title line, so it never hides data
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        int total = 0;
        for (Series s : p.series()) {
            total += 30 + fm.stringWidth(s.label()) + 16;
        }
        int lx = right - total;
        int ly = py + 16;
        for (Series s : p.series()) {
            g.setColor(s.color());
            Stroke old = g.getStroke();
            g.setStroke(s.dashed()
                    ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f)
                    : new BasicStroke(2.5f));
            g.drawLine(lx, ly - 4, lx + 24, ly - 4);
            g.setStroke(old);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), lx + 30, ly);
            lx += 30 + fm.stringWidth(s.label()) + 16;
        }
    }

    private static int xPix(double v, double min, double max, int left, int right) {
        return (int) Math.round(left + (v - min) / (max - min) * (right - left));
    }

    private static int yPix(double v, double min, double max, int top, int bottom) {
        return (int) Math.round(bottom - (v - min) / (max - min) * (bottom - top));
    }

    /** About five "nice" ticks (1, 2, 2.5, 5 × 10^k) from min through at least max. */
    static double[] ticks(double min, double max) {
        double range = Math.max(max - min, 1e-9);
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        double start = Math.floor(min / step) * step;
        List<Double> out = new ArrayList<>();
        for (double t = start; t < max + step * 0.999; t += step) {
            out.add(t);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String tickLabel(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format("%,d", (long) Math.rint(v));
        }
        return String.format("%,.1f", v);
    }

    private static void centered(Graphics2D g, String s, int cx, int y) {
        g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, y);
    }
}
