// Categorical colours for models (Tableau 10, as Observable Plot uses), lighter in dark mode.
import type { Theme } from "../shared/theme";

// biome-ignore format: a table, one theme a line
const LIGHT = ["#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f", "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab"];
// biome-ignore format: a table, one theme a line
const DARK = ["#7aa6d6", "#f5a354", "#f07c7e", "#8fd3cd", "#7dc472", "#f3d675", "#c99bbf", "#ffb3bb", "#c29b82", "#d4ccc7"];

export function modelColour(index: number, theme: Theme): string {
  const colours = theme === "dark" ? DARK : LIGHT;
  return colours[((index % colours.length) + colours.length) % colours.length];
}
