// A click on a plot shows it at its full size over the page; a second click (or Escape) closes it.
document.addEventListener("click", (event) => {
  const image = event.target.closest("div.cell_output img");
  const open = document.querySelector("img.course-zoomed");
  if (open) { open.classList.remove("course-zoomed"); return; }
  if (image && image.naturalWidth > image.clientWidth) image.classList.add("course-zoomed");
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") document.querySelector("img.course-zoomed")?.classList.remove("course-zoomed");
});
